import CairnCore
import SQLKit

/// Frozen copies of part of the artifact tree. A registered model version copies its source's
/// entries (path → blob hash) below `root`; since blobs are content-addressed, no bytes are copied,
/// and later writes to the source paths leave the snapshot's hashes untouched. The artifact store
/// refuses to write or delete below `root`, so only these functions change it.
public enum ArtifactSnapshot {
    /// The reserved top-level folder that holds every snapshot.
    public static let root = try! ArtifactPath(validating: "_cairn_snapshots")

    public static func isReserved(_ path: ArtifactPath) -> Bool {
        root.contains(path)
    }

    /// Copies the file at `source`, or every file below it, to `destination` inside the caller's
    /// transaction and returns the copied entries with paths relative to `destination`.
    public static func copy(from source: ArtifactPath, to destination: ArtifactPath, now: Int64,
                            on db: any SQLDatabase) async throws -> [StoredArtifact] {
        precondition(isReserved(destination) && !destination.isRoot, "snapshots live below \(root)")
        let sourceFiles = try await files(at: source, on: db)
        guard !sourceFiles.isEmpty else { return [] }
        for chunk in stride(from: 0, to: sourceFiles.count, by: 200) {
            var insert = db.insert(into: "artifact_files").columns("path", "sha256", "size", "updated_at")
            for file in sourceFiles[chunk..<min(chunk + 200, sourceFiles.count)] {
                insert = insert.values([destination.appending(file.path).value, file.sha256, file.size, now] as [any Encodable & Sendable])
            }
            try await insert.onConflict(with: ["path"]) {
                $0.set(excludedValueOf: "sha256").set(excludedValueOf: "size").set(excludedValueOf: "updated_at")
            }.run()
        }
        return sourceFiles
    }

    /// The file at `path` (relative path: its name), or every file below it (relative paths), sorted.
    public static func files(at path: ArtifactPath, on db: any SQLDatabase) async throws -> [StoredArtifact] {
        let prefix = path.isRoot ? "" : path.value + "/"
        let rows = try await db.raw("""
            SELECT path, sha256, size FROM artifact_files
            WHERE path = \(bind: path.value) OR \(SQLPrefix.startsWith("path", prefix))
            ORDER BY path
            """).all()
        return try rows.map { row in
            let full = try row.decode(column: "path", as: String.self)
            let relative = full == path.value ? path.lastComponent : String(full.dropFirst(prefix.count))
            return StoredArtifact(path: try ArtifactPath(validating: relative),
                                  sha256: try row.decode(column: "sha256", as: String.self),
                                  size: try row.decode(column: "size", as: Int64.self))
        }
    }

    /// Removes a snapshot's entries (its blobs stay; other paths may share them).
    public static func delete(_ destination: ArtifactPath, on db: any SQLDatabase) async throws {
        precondition(isReserved(destination) && !destination.isRoot, "snapshots live below \(root)")
        let prefix = destination.value + "/"
        try await db.raw("""
            DELETE FROM artifact_files WHERE \(SQLPrefix.startsWith("path", prefix))
            """).run()
    }
}
