import NIOCore

/// A request body delivered as the given chunks, for feeding `ArtifactStore.put`.
public struct Chunks: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let buffers: [ByteBuffer]

    public init(_ buffers: [ByteBuffer]) { self.buffers = buffers }

    public init(_ text: String) { self.buffers = [ByteBuffer(string: text)] }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: [ByteBuffer]
        public mutating func next() async throws -> ByteBuffer? { remaining.isEmpty ? nil : remaining.removeFirst() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: buffers) }
}
