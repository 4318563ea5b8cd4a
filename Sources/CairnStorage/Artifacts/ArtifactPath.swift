import CairnCore
import Foundation

/// A relative artifact path that cannot escape its root: no `..` or `.` segments, not absolute,
/// no backslashes or NUL bytes, checked after percent-decoding so `%2e%2e` is caught too.
public struct ArtifactPath: Sendable, Hashable, CustomStringConvertible {
    /// Normalised form: segments joined by `/`, no leading or trailing slash. Empty means the root.
    public let value: String

    public var description: String { value }
    public var isRoot: Bool { value.isEmpty }
    public var segments: [Substring] { value.split(separator: "/") }
    public var lastComponent: String { segments.last.map(String.init) ?? "" }

    public static let root = ArtifactPath(trusted: "")

    private init(trusted value: String) { self.value = value }

    /// Validates a path as it arrived on the wire (possibly percent-encoded).
    public init(percentEncoded raw: String) throws {
        guard let decoded = raw.removingPercentEncoding else {
            throw CairnError.invalidParameter("Invalid path: '\(raw)' is not valid percent-encoding.")
        }
        try self.init(validating: decoded)
    }

    /// Validates a decoded path; a trailing slash is allowed and dropped.
    public init(validating path: String) throws {
        let invalid = CairnError.invalidParameter("Invalid path: '\(path)'. Artifact paths must be relative and may not contain '..'.")
        if path.hasPrefix("/") || path.contains("\\") || path.contains("\0") {
            throw invalid
        }
        // A second layer of encoding (`%252e%252e`) must not smuggle a `..` past this check either.
        if path.contains("%"), let twiceDecoded = path.removingPercentEncoding, twiceDecoded != path {
            _ = try ArtifactPath(validating: twiceDecoded)
        }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: false) {
            switch segment {
            case "..": throw invalid
            case "", ".": continue
            default: segments.append(segment)
            }
        }
        if path.range(of: "^[A-Za-z]:", options: .regularExpression) != nil { throw invalid }
        self.value = segments.joined(separator: "/")
    }

    /// `self` followed by `relative`; both already validated, so the result is too.
    public func appending(_ relative: ArtifactPath) -> ArtifactPath {
        if relative.isRoot { return self }
        if isRoot { return relative }
        return ArtifactPath(trusted: value + "/" + relative.value)
    }

    /// Whether `other` is this path or lies below it.
    public func contains(_ other: ArtifactPath) -> Bool {
        isRoot || other.value == value || other.value.hasPrefix(value + "/")
    }

    /// `other` expressed relative to `self`; nil when it does not lie below `self`.
    public func relativePath(of other: ArtifactPath) -> String? {
        if isRoot { return other.value }
        if other.value == value { return "" }
        guard other.value.hasPrefix(value + "/") else { return nil }
        return String(other.value.dropFirst(value.count + 1))
    }
}
