import CairnCore

/// What a request for features needs: the stored features to read (those asked for and those
/// on-demand features are computed from), the on-demand views to compute (inputs first), the
/// request fields they take, and the columns to answer with, in the order asked.
public struct FeatureSelection: Sendable {
    public var outputs: [(view: String, feature: String)]
    public var stored: [(view: String, features: [String])]
    public var onDemand: [FeatureRepository.OnDemandView]
    public var requestFields: [FeatureRepository.Feature]
    let repository: FeatureRepository

    public init(_ references: [String], in repository: FeatureRepository) throws(CairnError) {
        self.repository = repository
        let resolved = try repository.resolve(references)
        outputs = resolved.flatMap { entry in entry.features.map { (entry.view, $0) } }
        var stored: [(view: String, features: [String])] = []
        var onDemand: [FeatureRepository.OnDemandView] = []
        var request: [FeatureRepository.Feature] = []
        func need(_ view: String, _ feature: String) {
            if let index = stored.firstIndex(where: { $0.view == view }) {
                if !stored[index].features.contains(feature) { stored[index].features.append(feature) }
            } else {
                stored.append((view, [feature]))
            }
        }
        func include(_ view: FeatureRepository.OnDemandView) {
            guard !onDemand.contains(where: { $0.name == view.name }) else { return }
            for source in view.sources {
                if let inner = repository.onDemandView(source) { include(inner) } else { repository.view(source)?.features.forEach { need(source, $0.name) } }
            }
            for field in view.request where !request.contains(where: { $0.name == field.name }) { request.append(field) }
            onDemand.append(view)
        }
        for (view, features) in resolved {
            if let derived = repository.onDemandView(view) { include(derived) } else { features.forEach { need(view, $0) } }
        }
        self.stored = stored
        self.onDemand = onDemand
        requestFields = request
    }

    /// Computes the on-demand features of one row from its stored values (by `view.feature`) and
    /// request values (by name); answers by `view.feature`, stored ones included.
    public func derive(stored values: [String: FeatureValue], request: [String: FeatureValue]) -> [String: FeatureValue] {
        var known = values
        for view in onDemand {
            var inputs: [String: FeatureValue] = [:]
            var bareCount: [String: Int] = [:]
            for source in view.sources {
                let names = repository.view(source)?.features.map(\.name) ?? repository.onDemandView(source)?.features.map(\.name) ?? []
                for name in names {
                    bareCount[name, default: 0] += 1
                    if let value = known["\(source).\(name)"] {
                        inputs["\(source).\(name)"] = value
                        inputs[name] = value
                    }
                }
            }
            for field in view.request {
                bareCount[field.name, default: 0] += 1
                if let value = request[field.name] { inputs[field.name] = value }
            }
            for (name, count) in bareCount where count > 1 { inputs[name] = nil }
            for feature in view.features {
                if let value = feature.expression.evaluate(inputs)?.typed(feature.type) { known["\(view.name).\(feature.name)"] = value }
            }
        }
        return known
    }
}
