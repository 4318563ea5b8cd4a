import CairnCore
import CairnTracking

/// MLflow's rules for registry names, versions, aliases and tags, with its messages.
enum RegistryValidation {
    static let maxTagValueLength = 100_000
    static let maxAliasLength = 255

    static func validateModelName(_ name: String) throws {
        guard !name.isEmpty else {
            throw CairnError.invalidParameter("Missing value for required parameter 'name'. See the API docs for more information about request parameters.")
        }
        if name.contains("/") || name.contains(":") {
            throw CairnError.invalidParameter("Invalid model name '\(name)'. Names cannot contain '/' or ':'.")
        }
        if name == "." || name == ".." {
            throw CairnError.invalidParameter("Invalid value \"\(name)\" for parameter 'name' supplied: Names may be treated as files in certain cases, and must not resolve to other names when treated as such.")
        }
    }

    /// A version number as the client sends it: a string of digits.
    static func version(_ text: String) throws -> Int64 {
        guard let version = Int64(text), version > 0 else {
            throw CairnError.invalidParameter("Parameter 'version' must be an integer, got '\(text)'.")
        }
        return version
    }

    static func validateTag(_ tag: KeyValue) throws {
        try TrackingValidation.validateKey(tag.key)
        guard tag.value.count <= maxTagValueLength else {
            throw CairnError.invalidParameter("'value' exceeds the maximum length of \(maxTagValueLength) characters")
        }
    }

    /// Alias names: word characters and dashes, at most 255, not `latest`, not shaped like `v3`.
    static func validateAlias(_ alias: String) throws {
        let wordsAndDashes = alias.unicodeScalars.allSatisfy { $0 == "-" || $0 == "_" || $0.properties.isAlphabetic || $0.properties.numericType != nil }
        guard !alias.isEmpty, wordsAndDashes, alias.count <= maxAliasLength else {
            throw CairnError.invalidParameter("Invalid alias name: '\(alias)'. Alias names must be at most \(maxAliasLength) characters and may only contain alphanumerics, underscores (_) and dashes (-).")
        }
        if alias.lowercased() == "latest" {
            throw CairnError.invalidParameter("'\(alias)' alias name (case insensitive) is reserved.")
        }
        if alias.count > 1, alias.lowercased().hasPrefix("v"), alias.dropFirst().allSatisfy(\.isASCII), Int(alias.dropFirst()) != nil {
            throw CairnError.invalidParameter("Version alias name '\(alias)' is reserved.")
        }
    }
}
