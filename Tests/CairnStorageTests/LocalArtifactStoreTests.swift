import CairnCore
import CairnTestSupport
import Foundation
import NIOCore
import Testing
@testable import CairnStorage

@Suite("Content-addressed local artifact store")
struct LocalArtifactStoreTests {
    struct Fixture {
        let root: URL
        let store: LocalArtifactStore
        let database: Database

        init(database: Database) throws {
            root = TestDatabases.temporaryDirectory()
            self.database = database
            store = try LocalArtifactStore(root: root, database: database)
        }

        /// Runs `body` with a fixture over a fresh SQLite index, closed afterwards.
        static func with(_ body: (Fixture) async throws -> Void) async throws {
            try await TestDatabases.with(.sqlite, migrations: StorageSchema.migrations) { database in
                try await body(try Fixture(database: database))
            }
        }

        func put(_ path: String, _ text: String) async throws -> StoredArtifact {
            try await store.put(try ArtifactPath(validating: path), body: Chunks([ByteBuffer(string: text)]))
        }

        func blobFiles() throws -> [String] {
            let blobs = root.appendingPathComponent("blobs/sha256")
            return (FileManager.default.enumerator(atPath: blobs.path)?.allObjects as? [String] ?? [])
                .filter { !$0.hasSuffix("/") && $0.count > 3 }
        }
    }

    @Test("A file reads back with its SHA-256, streamed in several chunks")
    func roundTrip() async throws {
        try await Fixture.with { fixture in
            let chunks = (0..<50).map { ByteBuffer(string: String(repeating: "chunk \($0) ", count: 100)) }
            let stored = try await fixture.store.put(try ArtifactPath(validating: "1/r/artifacts/data.txt"), body: Chunks(chunks))
            let expectedText = chunks.map { String(buffer: $0) }.joined()
            #expect(stored.size == Int64(expectedText.utf8.count))
            let file = try await fixture.store.file(at: try ArtifactPath(validating: "1/r/artifacts/data.txt"))
            #expect(file.artifact.sha256 == stored.sha256)
            #expect(try String(contentsOfFile: file.localPath, encoding: .utf8) == expectedText)
        }
    }

    @Test("Identical contents are stored once")
    func deduplicates() async throws {
        try await Fixture.with { fixture in
            let first = try await fixture.put("a/x.txt", "same bytes")
            let second = try await fixture.put("b/y.txt", "same bytes")
            #expect(first.sha256 == second.sha256)
            #expect(try fixture.blobFiles().count == 1)
        }
    }

    @Test("A corrupted blob is refused with DATA_LOSS instead of being served")
    func detectsCorruption() async throws {
        try await Fixture.with { fixture in
            _ = try await fixture.put("m/model.pkl", "original model bytes")
            let file = try await fixture.store.file(at: try ArtifactPath(validating: "m/model.pkl"))
            try "tampered".write(toFile: file.localPath, atomically: false, encoding: .utf8)
            do {
                _ = try await fixture.store.file(at: try ArtifactPath(validating: "m/model.pkl"))
                Issue.record("corrupted artifact was served")
            } catch let error as CairnError {
                #expect(error.code == .dataLoss)
                #expect(error.message.contains("corrupted"))
            }
        }
    }

    @Test("A streamed read delivers every byte of a good blob and never the whole of a corrupted one")
    func streamedReadVerifies() async throws {
        try await Fixture.with { fixture in
            let text = String(repeating: "0123456789abcdef", count: 200_000)  // 3.2 MB: several 1 MiB chunks
            let stored = try await fixture.put("big/weights.bin", text)
            var received = 0
            try await fixture.store.read(stored) { received += $0.readableBytes }
            #expect(received == text.utf8.count)

            let blob = try await fixture.store.file(at: stored.path).localPath
            var bytes = try Data(contentsOf: URL(fileURLWithPath: blob))
            bytes[100] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: blob))
            received = 0
            do {
                try await fixture.store.read(stored) { received += $0.readableBytes }
                Issue.record("a corrupted blob was streamed whole")
            } catch let error as CairnError {
                #expect(error.code == .dataLoss)
            }
            #expect(received < text.utf8.count)
        }
    }

    @Test("An upload that fails midway leaves no file, no blob and no temp file behind")
    func atomicWrite() async throws {
        try await Fixture.with { fixture in
            let failing = FailingChunks(before: [ByteBuffer(string: "partial")])
            await #expect(throws: BrokenConnection.self) {
                _ = try await fixture.store.put(try ArtifactPath(validating: "x/half.bin"), body: failing)
            }
            #expect(try fixture.blobFiles().isEmpty)
            let temp = try FileManager.default.contentsOfDirectory(atPath: fixture.root.appendingPathComponent("tmp").path)
            #expect(temp.isEmpty)
            #expect(try await fixture.store.list(try ArtifactPath(validating: "x")).isEmpty)
            await #expect(throws: CairnError.self) { _ = try await fixture.store.file(at: try ArtifactPath(validating: "x/half.bin")) }
        }
    }

    @Test("Replacing a file keeps the old blob intact and points the path at the new one")
    func replace() async throws {
        try await Fixture.with { fixture in
            let old = try await fixture.put("r/f.txt", "v1")
            let new = try await fixture.put("r/f.txt", "v2")
            #expect(old.sha256 != new.sha256)
            let file = try await fixture.store.file(at: try ArtifactPath(validating: "r/f.txt"))
            #expect(try String(contentsOfFile: file.localPath, encoding: .utf8) == "v2")
        }
    }

    @Test("Listing shows immediate children; delete removes a whole directory")
    func listAndDelete() async throws {
        try await Fixture.with { fixture in
            _ = try await fixture.put("run/artifacts/a.txt", "a")
            _ = try await fixture.put("run/artifacts/dir/b.txt", "bb")
            _ = try await fixture.put("run/artifacts/dir/sub/c.txt", "ccc")
            _ = try await fixture.put("run/artifactsX/other.txt", "x")
            let listed = try await fixture.store.list(try ArtifactPath(validating: "run/artifacts"))
            #expect(listed == [
                ArtifactEntry(name: "a.txt", isDirectory: false, size: 1),
                ArtifactEntry(name: "dir", isDirectory: true, size: nil),
            ])
            #expect(try await fixture.store.isDirectory(try ArtifactPath(validating: "run/artifacts/dir")))
            try await fixture.store.delete(try ArtifactPath(validating: "run/artifacts/dir"))
            #expect(try await fixture.store.list(try ArtifactPath(validating: "run/artifacts")).map(\.name) == ["a.txt"])
            #expect(try await fixture.store.list(try ArtifactPath(validating: "run/artifactsX")).map(\.name) == ["other.txt"])
        }
    }
}

/// A request body made of the given chunks.
/// A body whose connection breaks after some chunks.
struct FailingChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let before: [ByteBuffer]

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: [ByteBuffer]
        mutating func next() async throws -> ByteBuffer? {
            if remaining.isEmpty { throw BrokenConnection() }
            return remaining.removeFirst()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: before) }
}

struct BrokenConnection: Error {}
