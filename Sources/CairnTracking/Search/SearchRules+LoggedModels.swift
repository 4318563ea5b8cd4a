/// `logged-models/search`: attributes of the model row, and its metrics, params and tags.
extension SearchRules {
    public static let loggedModels: SearchRules = {
        let number = KeyRule(.number, [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual])
        let string = KeyRule(.string, [.equal, .notEqual, .like, .ilike])
        let stringOrList = KeyRule(.string, [.equal, .notEqual, .like, .ilike, .in, .notIn])
        return SearchRules(
            filterable: [
                .metric: .any(number),
                .param: .any(string),
                .tag: .any(string),
                .attribute: .named([
                    "name": stringOrList, "model_id": stringOrList, "model_type": string, "status": string,
                    "source_run_id": stringOrList, "creation_timestamp": number, "last_updated_timestamp": number,
                ]),
            ],
            attributeAliases: ["creation_time": "creation_timestamp", "last_updated_time": "last_updated_timestamp"],
            orderable: [.attribute: .named(["name", "model_id", "creation_timestamp", "last_updated_timestamp"])])
    }()
}
