/// What applying a repository would change against the one applied last: each entity, source,
/// feature view and feature service added, changed, removed or left as is.
public struct RepositoryPlan: Sendable, Equatable {
    public enum Action: String, Sendable {
        case add, change, remove, keep
    }

    public struct Change: Sendable, Equatable {
        public var kind: String
        public var name: String
        public var action: Action
    }

    public var changes: [Change]

    public var isEmpty: Bool { changes.allSatisfy { $0.action == .keep } }

    public init(from old: FeatureRepository?, to new: FeatureRepository) {
        changes = Self.compare("entity", old?.entities ?? [], new.entities, \.name)
            + Self.compare("source", old?.sources ?? [], new.sources, \.name)
            + Self.compare("feature view", old?.featureViews ?? [], new.featureViews, \.name)
            + Self.compare("on-demand feature view", old?.onDemandViews ?? [], new.onDemandViews, \.name)
            + Self.compare("feature service", old?.featureServices ?? [], new.featureServices, \.name)
    }

    static func compare<Object: Equatable>(_ kind: String, _ old: [Object], _ new: [Object], _ name: KeyPath<Object, String>) -> [Change] {
        var changes = new.map { object -> Change in
            guard let before = old.first(where: { $0[keyPath: name] == object[keyPath: name] }) else { return Change(kind: kind, name: object[keyPath: name], action: .add) }
            return Change(kind: kind, name: object[keyPath: name], action: before == object ? .keep : .change)
        }
        changes += old.filter { object in !new.contains { $0[keyPath: name] == object[keyPath: name] } }.map { Change(kind: kind, name: $0[keyPath: name], action: .remove) }
        return changes
    }
}
