import NIOCore

/// One file in the logical artifact tree.
public struct StoredArtifact: Sendable, Equatable {
    public var path: ArtifactPath
    public var sha256: String
    public var size: Int64
}

/// An immediate child of a listed directory.
public struct ArtifactEntry: Sendable, Equatable {
    /// The child's name (one segment), as MLflow's artifact proxy lists it.
    public var name: String
    public var isDirectory: Bool
    /// Size in bytes; nil for directories.
    public var size: Int64?
}

/// A file ready to be sent: its bytes were just verified against the recorded SHA-256.
public struct VerifiedArtifactFile: Sendable {
    public var artifact: StoredArtifact
    /// Location of the verified blob on the local disk.
    public var localPath: String
}

/// Artifact storage: a logical tree of paths whose contents are content-addressed blobs.
public protocol ArtifactStore: Sendable {
    /// Streams `body` into the store at `path`, hashing on the way in; replaces any file there.
    func put<Body: AsyncSequence & Sendable>(_ path: ArtifactPath, body: Body) async throws -> StoredArtifact
        where Body.Element == ByteBuffer
    /// The file at `path`, verified; throws RESOURCE_DOES_NOT_EXIST, or DATA_LOSS on a hash mismatch.
    func file(at path: ArtifactPath) async throws -> VerifiedArtifactFile
    /// The file's record (hash and size) without reading it; throws RESOURCE_DOES_NOT_EXIST.
    func stat(_ path: ArtifactPath) async throws -> StoredArtifact
    /// Streams the file's bytes to `consume` while hashing them. The last chunk is held back until
    /// the whole file has matched its recorded SHA-256, so no reader ever gets a complete file with
    /// wrong bytes: a mismatch throws DATA_LOSS instead of delivering it.
    func read(_ artifact: StoredArtifact, into consume: (ByteBuffer) async throws -> Void) async throws
    /// Immediate children of the directory `path`; empty when nothing lies below it.
    func list(_ path: ArtifactPath) async throws -> [ArtifactEntry]
    /// Whether `path` is a directory (some file lies below it).
    func isDirectory(_ path: ArtifactPath) async throws -> Bool
    /// Removes the file or the whole directory at `path`.
    func delete(_ path: ArtifactPath) async throws
}
