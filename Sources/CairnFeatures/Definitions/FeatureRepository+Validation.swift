import CairnCore

extension FeatureRepository {
    /// Refuses a repository that cannot work, naming the object and the problem: duplicate
    /// names, unknown entities or sources, duplicate features, features that shadow join keys,
    /// services naming unknown views or features. Source contents are checked when read.
    public func validate() throws(CairnError) {
        guard !project.isEmpty, project.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw .invalidParameter("project must be letters, digits and underscores (got '\(project)').")
        }
        try Self.unique(entities.map(\.name), "entity")
        try Self.unique(sources.map(\.name), "source")
        try Self.unique(featureViews.map(\.name), "feature view")
        try Self.unique(featureServices.map(\.name), "feature service")
        for entity in entities where entity.joinKeys.isEmpty { throw .invalidParameter("Entity '\(entity.name)' needs at least one join key.") }
        for view in featureViews {
            for name in view.entities where entity(name) == nil {
                throw .invalidParameter("Feature view '\(view.name)' names unknown entity '\(name)' (entities: \(entities.map(\.name).joined(separator: ", "))).")
            }
            guard source(view.source) != nil else { throw .invalidParameter("Feature view '\(view.name)' names unknown source '\(view.source)'.") }
            guard !view.features.isEmpty else { throw .invalidParameter("Feature view '\(view.name)' declares no features.") }
            var seen: Set<String> = []
            for feature in view.features {
                guard seen.insert(feature.name).inserted else { throw .invalidParameter("Feature view '\(view.name)' declares feature '\(feature.name)' twice.") }
                if joinKeys(of: view).contains(feature.name) {
                    throw .invalidParameter("Feature '\(feature.name)' of feature view '\(view.name)' has the name of a join key.")
                }
            }
            guard view.ttlSeconds >= 0 else { throw .invalidParameter("Feature view '\(view.name)' has a negative ttl.") }
        }
        for service in featureServices {
            do { _ = try resolve(service.features) } catch { throw .invalidParameter("Feature service '\(service.name)': \(error.message)") }
        }
    }

    /// `view`, `view:feature` or a feature service's name → the features asked for, per view, in order.
    public func resolve(_ references: [String]) throws(CairnError) -> [(view: String, features: [String])] {
        var result: [(view: String, features: [String])] = []
        func add(_ view: String, _ feature: String) {
            if let index = result.firstIndex(where: { $0.view == view }) {
                if !result[index].features.contains(feature) { result[index].features.append(feature) }
            } else {
                result.append((view, [feature]))
            }
        }
        guard !references.isEmpty else { throw .invalidParameter("No features were asked for.") }
        for reference in references {
            if let service = featureServices.first(where: { $0.name == reference }) {
                for (view, features) in try resolve(service.features) { features.forEach { add(view, $0) } }
                continue
            }
            let parts = reference.split(separator: ":", maxSplits: 1).map(String.init)
            guard let view = view(parts[0]) else {
                throw .invalidParameter("Unknown feature view or service '\(parts[0])' in '\(reference)'.")
            }
            if parts.count == 1 {
                view.features.forEach { add(view.name, $0.name) }
            } else if view.features.contains(where: { $0.name == parts[1] }) {
                add(view.name, parts[1])
            } else {
                throw .invalidParameter("Feature view '\(view.name)' has no feature '\(parts[1])' (it has \(view.features.map(\.name).joined(separator: ", "))).")
            }
        }
        return result
    }

    private static func unique(_ names: [String], _ kind: String) throws(CairnError) {
        var seen: Set<String> = []
        for name in names where !seen.insert(name).inserted { throw .invalidParameter("Two \(kind)s are named '\(name)'.") }
    }
}
