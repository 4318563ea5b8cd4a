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
        try Self.unique(featureViews.map(\.name) + onDemandViews.map(\.name), "feature view")
        try Self.unique(featureServices.map(\.name), "feature service")
        for source in sources where source.path.hasPrefix("/") || source.path.split(separator: "/").contains("..") {
            throw .invalidParameter("Source '\(source.name)': its path '\(source.path)' must be inside the repository's folder (relative, without '..').")
        }
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
        try validateOnDemandViews()
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
            if let onDemand = onDemandView(parts[0]) {
                guard parts.count == 1 || onDemand.features.contains(where: { $0.name == parts[1] }) else {
                    throw .invalidParameter("On-demand feature view '\(onDemand.name)' has no feature '\(parts[1])' (it has \(onDemand.features.map(\.name).joined(separator: ", "))).")
                }
                for feature in onDemand.features where parts.count == 1 || feature.name == parts[1] { add(onDemand.name, feature.name) }
                continue
            }
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

    /// The features an on-demand view's sources offer, by the names its expressions may use: bare
    /// (when only one source has it) and `source.feature`, with their types.
    func inputs(of onDemand: OnDemandView) -> [String: FeatureType] {
        var qualified: [String: FeatureType] = [:]
        var bare: [String: [FeatureType]] = [:]
        for source in onDemand.sources {
            let features = view(source)?.features.map { ($0.name, $0.type) } ?? onDemandView(source)?.features.map { ($0.name, $0.type) } ?? []
            for (name, type) in features {
                qualified["\(source).\(name)"] = type
                bare[name, default: []].append(type)
            }
        }
        for field in onDemand.request { bare[field.name, default: []].append(field.type) }
        for (name, types) in bare where types.count == 1 { qualified[name] = types[0] }
        return qualified
    }

    private func validateOnDemandViews() throws(CairnError) {
        // On-demand views reading each other must not go round in a circle.
        var state: [String: Bool] = [:]  // false: being visited, true: done
        func visit(_ name: String, _ path: [String]) throws(CairnError) {
            if state[name] == true { return }
            if state[name] == false {
                let cycle = path[path.firstIndex(of: name)!...] + [name]
                throw .invalidParameter("On-demand feature views read each other in a cycle: \(cycle.joined(separator: " → ")).")
            }
            state[name] = false
            for source in onDemandView(name)?.sources ?? [] where onDemandView(source) != nil { try visit(source, path + [name]) }
            state[name] = true
        }
        for onDemand in onDemandViews { try visit(onDemand.name, []) }
        for onDemand in onDemandViews {
            for source in onDemand.sources where view(source) == nil && onDemandView(source) == nil {
                throw .invalidParameter("On-demand feature view '\(onDemand.name)' names unknown source '\(source)'.")
            }
            guard !onDemand.features.isEmpty else { throw .invalidParameter("On-demand feature view '\(onDemand.name)' declares no features.") }
            try Self.unique(onDemand.features.map(\.name), "feature of '\(onDemand.name)'")
            let available = inputs(of: onDemand)
            for feature in onDemand.features {
                for reference in feature.expression.references where available[reference] == nil {
                    throw .invalidParameter("Feature '\(feature.name)' of on-demand feature view '\(onDemand.name)' reads '\(reference)', which is not a request "
                                            + "field or a feature of its sources (\(onDemand.sources.joined(separator: ", "))), or is in several: write source.feature.")
                }
            }
        }
    }

    private static func unique(_ names: [String], _ kind: String) throws(CairnError) {
        var seen: Set<String> = []
        for name in names where !seen.insert(name).inserted { throw .invalidParameter("Two \(kind)s are named '\(name)'.") }
    }
}
