/// A bounded hand-off of chunks (of bytes) between one producer and one consumer task, so hashing
/// overlaps with disk or network I/O. `send` waits while `capacity` chunks are queued;
/// `next` waits while none are, and returns nil once the producer has finished.
actor ChunkPipe<Chunk: Sendable> {
    private let capacity: Int
    private var queue: [Chunk] = []
    private var finished = false
    private var failure: (any Error)?
    private var waitingConsumer: CheckedContinuation<Void, Never>?
    private var waitingProducer: CheckedContinuation<Void, Never>?

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Queues `chunk`; false once the consumer has cancelled, when the producer should stop.
    func send(_ chunk: Chunk) async -> Bool {
        while queue.count >= capacity, !finished {
            await withCheckedContinuation { waitingProducer = $0 }
        }
        guard !finished else { return false }
        queue.append(chunk)
        wakeConsumer()
        return true
    }

    /// Ends the stream; a non-nil `error` is thrown to the consumer after the queued chunks.
    func finish(throwing error: (any Error)? = nil) {
        finished = true
        failure = error
        wakeConsumer()
    }

    /// Stops both sides early: the producer's `send` returns false and the consumer's `next` throws.
    func cancel() {
        finished = true
        failure = CancellationError()
        queue.removeAll()
        wakeConsumer()
        waitingProducer?.resume()
        waitingProducer = nil
    }

    func next() async throws -> Chunk? {
        while queue.isEmpty {
            if finished {
                if let failure { throw failure }
                return nil
            }
            await withCheckedContinuation { waitingConsumer = $0 }
        }
        let chunk = queue.removeFirst()
        waitingProducer?.resume()
        waitingProducer = nil
        return chunk
    }

    private func wakeConsumer() {
        waitingConsumer?.resume()
        waitingConsumer = nil
    }
}
