import CairnCore
import Crypto
import Foundation
import NIOCore
import NIOPosix
import SQLKit
import _NIOFileSystem

/// Artifacts on the local disk, content-addressed: each distinct file is stored once as
/// `<root>/blobs/sha256/ab/cdef…`, and the `artifact_files` table maps logical paths to blobs.
/// Uploads stream into a temp file while hashing, are fsynced, then renamed into place, so a blob
/// is either whole or absent; reads re-hash the blob and refuse to serve bytes that do not match.
///
/// Deleting a path removes it from the tree; its blob stays, since other paths (or registered
/// model versions) may share it.
public final class LocalArtifactStore: ArtifactStore {
    private let database: Database
    private let blobRoot: URL
    private let tempRoot: URL

    public init(root: URL, database: Database) throws {
        self.database = database
        self.blobRoot = root.appendingPathComponent("blobs/sha256", isDirectory: true)
        self.tempRoot = root.appendingPathComponent("tmp", isDirectory: true)
        try FileManager.default.createDirectory(at: blobRoot, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: tempRoot, withIntermediateDirectories: true)
    }

    public func put<Body: AsyncSequence & Sendable>(_ path: ArtifactPath, body: Body) async throws -> StoredArtifact
        where Body.Element == ByteBuffer {
        guard !path.isRoot else { throw CairnError.invalidParameter("Invalid path: an artifact needs a file name.") }
        try Self.refuseSnapshotChange(path)
        let (sha256, size) = try await writeBlob(body)
        let artifact = StoredArtifact(path: path, sha256: sha256, size: size)
        let now = Clock.nowMillis()
        try await database.write { db in
            try await db.raw("""
                INSERT INTO artifact_files (path, sha256, size, updated_at)
                VALUES (\(bind: path.value), \(bind: sha256), \(bind: size), \(bind: now))
                ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size,
                    updated_at = excluded.updated_at
                """).run()
        }
        return artifact
    }

    public func file(at path: ArtifactPath) async throws -> VerifiedArtifactFile {
        let artifact = try await stat(path)
        let blob = blobURL(for: artifact.sha256)
        let actual = try Self.sha256(ofFileAt: blob)
        guard actual == artifact.sha256 else { throw Self.corrupted(artifact, actual: actual) }
        return VerifiedArtifactFile(artifact: artifact, localPath: blob.path)
    }

    public func stat(_ path: ArtifactPath) async throws -> StoredArtifact {
        let row = try await database.read { db in
            try await db.raw("SELECT sha256, size FROM artifact_files WHERE path = \(bind: path.value)").first()
        }
        guard let row else { throw CairnError.notFound("No artifact at path '\(path.value)'.") }
        return StoredArtifact(path: path, sha256: try row.decode(column: "sha256", as: String.self),
                              size: try row.decode(column: "size", as: Int64.self))
    }

    /// Reading and hashing run in a separate task that stays a few chunks ahead of `consume`, so
    /// the hash is computed on one core while the bytes are sent from another.
    public func read(_ artifact: StoredArtifact, into consume: (ByteBuffer) async throws -> Void) async throws {
        let blob = blobURL(for: artifact.sha256)
        guard FileManager.default.fileExists(atPath: blob.path) else { throw Self.corrupted(artifact, actual: nil) }
        let pipe = ChunkPipe<ByteBuffer>(capacity: 4)
        let producer = Task {
            do {
                var hasher = SHA256()
                try await FileSystem.shared.withFileHandle(forReadingAt: .init(blob.path)) { handle in
                    for try await chunk in handle.readChunks(in: 0..<Int64.max, chunkLength: .mebibytes(4)) {
                        chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                        guard await pipe.send(chunk) else { return }
                    }
                }
                let actual = Self.hex(hasher.finalize())
                await pipe.finish(throwing: actual == artifact.sha256 ? nil : Self.corrupted(artifact, actual: actual))
            } catch {
                await pipe.finish(throwing: error)
            }
        }
        do {
            // The last chunk is held back until the producer has finished without a mismatch.
            var heldBack: ByteBuffer?
            while let chunk = try await pipe.next() {
                if let previous = heldBack { try await consume(previous) }
                heldBack = chunk
            }
            if let last = heldBack { try await consume(last) }
        } catch {
            await pipe.cancel()
            producer.cancel()
            throw error
        }
    }

    private static func corrupted(_ artifact: StoredArtifact, actual: String?) -> CairnError {
        CairnError(.dataLoss,
                   "Artifact '\(artifact.path.value)' is corrupted: its stored bytes hash to \(actual ?? "nothing (blob missing)"), expected \(artifact.sha256).")
    }

    public func list(_ path: ArtifactPath) async throws -> [ArtifactEntry] {
        let prefix = path.isRoot ? "" : path.value + "/"
        let rows = try await database.read { db in
            try await Self.rows(below: prefix, on: db)
        }
        var files: [String: Int64] = [:]
        var directories = Set<String>()
        for (filePath, size) in rows {
            let rest = filePath.dropFirst(prefix.count)
            if let slash = rest.firstIndex(of: "/") {
                directories.insert(String(rest[..<slash]))
            } else {
                files[String(rest)] = size
            }
        }
        let entries = files.map { ArtifactEntry(name: $0.key, isDirectory: false, size: $0.value) }
            + directories.map { ArtifactEntry(name: $0, isDirectory: true, size: nil) }
        return entries.sorted { $0.name < $1.name }
    }

    public func isDirectory(_ path: ArtifactPath) async throws -> Bool {
        let prefix = path.isRoot ? "" : path.value + "/"
        return try await database.read { db in
            try await db.raw("""
                SELECT path FROM artifact_files
                WHERE \(SQLPrefix.startsWith("path", prefix)) LIMIT 1
                """).first() != nil
        }
    }

    public func delete(_ path: ArtifactPath) async throws {
        try Self.refuseSnapshotChange(path)
        if path.isRoot { throw CairnError.invalidParameter("Invalid path: refusing to delete the whole artifact store.") }
        let prefix = path.isRoot ? "" : path.value + "/"
        try await database.write { db in
            try await db.raw("""
                DELETE FROM artifact_files
                WHERE path = \(bind: path.value) OR \(SQLPrefix.startsWith("path", prefix))
                """).run()
        }
    }

    /// Registered model versions' snapshots never change through the store.
    private static func refuseSnapshotChange(_ path: ArtifactPath) throws {
        if ArtifactSnapshot.isReserved(path) {
            throw CairnError(.permissionDenied,
                             "Artifact path '\(path.value)' belongs to a registered model version, whose files cannot change.")
        }
    }

    // MARK: - Blobs

    private func blobURL(for sha256: String) -> URL {
        blobRoot.appendingPathComponent(String(sha256.prefix(2)), isDirectory: true)
            .appendingPathComponent(String(sha256.dropFirst(2)))
    }

    /// Streams the body to a temp file while hashing, then moves it to its content address.
    private func writeBlob<Body: AsyncSequence>(_ body: Body) async throws -> (sha256: String, size: Int64)
        where Body.Element == ByteBuffer {
        let tempURL = tempRoot.appendingPathComponent(UUID().uuidString)
        let file = try DirectFileWriter(creating: tempURL.path)
        // Three stages on separate tasks, so hashing (the costliest step, ~0.7 s per GiB) runs on
        // one core while the request loop keeps the socket drained and a third task has the
        // bytes written to disk. The request loop only gathers network reads into batches of about 4 MiB, without
        // copying, so the tasks wake each other rarely.
        let hashPipe = ChunkPipe<[ByteBuffer]>(capacity: 4)
        let diskPipe = ChunkPipe<[ByteBuffer]>(capacity: 4)
        let hashing = Task {
            var hasher = SHA256()
            while let batch = try await hashPipe.next() {
                for chunk in batch { chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) } }
            }
            return Self.hex(hasher.finalize())
        }
        let diskWriter = Task {
            do {
                // Direct writes block until the disk has the bytes: that waiting happens on a
                // thread of NIO's blocking pool, not on one of the few cooperative threads that the
                // request loop and the hashing need.
                while let batch = try await diskPipe.next() {
                    try await NIOThreadPool.singleton.runIfActive {
                        for chunk in batch { try chunk.withUnsafeReadableBytes { try file.write($0) } }
                    }
                }
                try await NIOThreadPool.singleton.runIfActive { try file.finish() }
            } catch {
                await diskPipe.cancel()  // unblocks the request loop
                throw error
            }
        }
        var size: Int64 = 0
        let sha256: String
        do {
            let batchSize = 4 << 20
            var batch: [ByteBuffer] = []
            var batchBytes = 0
            for try await buffer in body {
                size += Int64(buffer.readableBytes)
                batch.append(buffer)
                batchBytes += buffer.readableBytes
                if batchBytes >= batchSize {
                    guard await hashPipe.send(batch), await diskPipe.send(batch) else { break }
                    batch.removeAll(keepingCapacity: true)
                    batchBytes = 0
                }
            }
            if !batch.isEmpty {
                _ = await hashPipe.send(batch)
                _ = await diskPipe.send(batch)
            }
            await hashPipe.finish()
            await diskPipe.finish()
            try await diskWriter.value
            sha256 = try await hashing.value
        } catch {
            await hashPipe.cancel()
            await diskPipe.cancel()
            _ = try? await diskWriter.value
            _ = try? await hashing.value
            file.abandon()
            try? FileManager.default.removeItem(at: tempURL)
            throw error
        }
        let destination = blobURL(for: sha256)
        if FileManager.default.fileExists(atPath: destination.path) {
            try? FileManager.default.removeItem(at: tempURL)
        } else {
            let directory = destination.deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            if rename(tempURL.path, destination.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: tempURL)
                throw CairnError.internalError("Cannot store blob \(sha256): \(reason)")
            }
            Self.syncDirectory(directory)
        }
        return (sha256, size)
    }

    /// Makes a rename durable by fsyncing the directory that holds the new name.
    private static func syncDirectory(_ directory: URL) {
        let fd = open(directory.path, O_RDONLY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    static func sha256(ofFileAt url: URL) throws -> String? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hex(hasher.finalize())
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    private static func rows(below prefix: String, on db: any SQLDatabase) async throws -> [(String, Int64)] {
        let query: SQLQueryString = prefix.isEmpty
            ? "SELECT path, size FROM artifact_files"
            : "SELECT path, size FROM artifact_files WHERE " + SQLPrefix.startsWith("path", prefix)
        return try await db.raw(query).all().map {
            (try $0.decode(column: "path", as: String.self), try $0.decode(column: "size", as: Int64.self))
        }
    }
}
