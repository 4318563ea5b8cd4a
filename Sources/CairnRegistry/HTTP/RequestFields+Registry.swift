import CairnCore
import CairnHTTP
import CairnTracking

/// Decoding of registry request fields.
extension RequestFields {
    /// The required `version` field: a version number sent as a string.
    func modelVersion() throws -> Int64 {
        try RegistryValidation.version(try requiredString("version"))
    }

    func tags() throws -> [KeyValue] {
        try objects("tags").map { KeyValue(key: try $0.requiredString("key"), value: try $0.string("value") ?? "") }
    }

    /// A `{key, value}` pair given as two top-level fields (`set-tag` requests).
    func tag() throws -> KeyValue {
        guard let value = try string("value", required: true) else { throw RequestFields.missing("value") }
        return KeyValue(key: try requiredString("key"), value: value)
    }
}
