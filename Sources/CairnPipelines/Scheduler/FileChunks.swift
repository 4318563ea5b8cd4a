import Foundation
import NIOCore

/// A local file as a sequence of 1 MiB buffers, for uploading step outputs to the artifact store.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let url: URL
    static let chunkSize = 1 << 20

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle?
        var failure: (any Error)?

        mutating func next() async throws -> ByteBuffer? {
            if let failure { throw failure }
            guard let handle, let data = try handle.read(upToCount: FileChunks.chunkSize), !data.isEmpty else {
                try? handle?.close()
                return nil
            }
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        do {
            return AsyncIterator(handle: try FileHandle(forReadingFrom: url))
        } catch {
            return AsyncIterator(handle: nil, failure: error)
        }
    }
}
