import CairnTracking

extension SearchRules {
    private static let stringOrList = KeyRule(.string, [.equal, .notEqual, .like, .ilike, .in, .notIn])
    private static let string = KeyRule(.string, [.equal, .notEqual, .like, .ilike])
    private static let number = KeyRule(.number, [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual])

    /// `registered-models/search`: the model's name and its tags.
    public static let registeredModels = SearchRules(
        filterable: [.attribute: .named(["name": stringOrList]), .tag: .any(string)],
        orderable: [.attribute: .named(["name", "timestamp", "last_updated_timestamp"])])

    /// `model-versions/search`: model name, run, source and version number, and the version's tags.
    public static let modelVersions = SearchRules(
        filterable: [
            .attribute: .named([
                "name": stringOrList, "run_id": stringOrList, "source_path": string, "version_number": number,
            ]),
            .tag: .any(string),
        ],
        orderable: [.attribute: .named(["name", "version_number", "creation_timestamp", "last_updated_timestamp", "timestamp"])])

    /// Promotion policy rules: the source run's metrics and the version's tags (or their presence).
    public static let promotionRules = SearchRules(
        filterable: [.metric: .any(number), .tag: .any(KeyRule(.string, [.equal, .notEqual, .like, .ilike, .isNull, .isNotNull]))],
        orderable: [:])
}
