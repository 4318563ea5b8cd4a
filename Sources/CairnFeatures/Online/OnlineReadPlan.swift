/// What an online lookup of one selection reads, worked out once per selection and repository
/// version rather than on every request: the join keys the answer starts with, per view its join
/// keys and the features to read with their declared types, and the answer's feature columns.
struct OnlineReadPlan: Sendable {
    struct Feature: Sendable {
        let name: String
        let type: FeatureType
        /// `view.feature`, as on-demand features and the answer's columns name it.
        let qualified: String
    }

    struct View: Sendable {
        let view: FeatureRepository.FeatureView
        let joinKeys: [String]
        let features: [Feature]
    }

    struct Output: Sendable {
        let qualified: String
        let name: String
        let fullName: String
    }

    let selection: FeatureSelection
    /// Every join key any view read needs, sorted: the answer's first columns.
    let keyNames: [String]
    let views: [View]
    let outputs: [Output]

    init(_ selection: FeatureSelection, in repository: FeatureRepository) {
        self.selection = selection
        views = selection.stored.map { viewName, features in
            let view = repository.view(viewName)!
            return View(view: view, joinKeys: repository.joinKeys(of: view), features: features.map { name in
                Feature(name: name, type: view.features.first { $0.name == name }!.type, qualified: "\(view.name).\(name)")
            })
        }
        keyNames = Array(Set(views.flatMap(\.joinKeys))).sorted()
        outputs = selection.outputs.map { Output(qualified: "\($0.view).\($0.feature)", name: $0.feature, fullName: "\($0.view)__\($0.feature)") }
    }
}
