/// A key and a string value: params, run tags, experiment tags, logged-model tags and params.
public struct KeyValue: Sendable, Equatable, Hashable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
