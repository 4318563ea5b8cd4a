/// One file of a model version's frozen manifest.
public struct ManifestEntry: Sendable, Equatable, Encodable {
    public var path: String
    public var sha256: String
    public var size: Int64
}
