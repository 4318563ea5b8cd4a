import CairnStorage
import Logging
import Synchronization

/// Writes logged predictions off the request path: `offer` only appends to a bounded buffer
/// (never waits; a full buffer drops the record and counts it), and a background task writes
/// what has gathered in batches, one transaction each.
public final class PredictionLogger: Sendable {
    struct State {
        var buffer: [PredictionRecord] = []
        var dropped = 0
        var written = 0
        var failed = 0
    }

    public struct Counts: Sendable, Equatable {
        public var written: Int
        public var dropped: Int
        /// Records lost because a batch write failed.
        public var failed: Int
        public var queued: Int
    }

    let database: Database
    let capacity: Int
    let batchSize: Int
    let interval: Duration
    let logger: Logger
    private let state = Mutex(State())

    public init(database: Database, capacity: Int = 50_000, batchSize: Int = 1_000, interval: Duration = .milliseconds(200), logger: Logger) {
        self.database = database
        self.capacity = capacity
        self.batchSize = batchSize
        self.interval = interval
        self.logger = logger
    }

    /// Queues `record` for writing; false (and counted as dropped) when the buffer is full.
    @discardableResult
    public func offer(_ record: PredictionRecord) -> Bool {
        state.withLock { state in
            guard state.buffer.count < capacity else {
                state.dropped += 1
                return false
            }
            state.buffer.append(record)
            return true
        }
    }

    public var counts: Counts {
        state.withLock { Counts(written: $0.written, dropped: $0.dropped, failed: $0.failed, queued: $0.buffer.count) }
    }

    /// Writes batches until cancelled, then writes what is left.
    public func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            await flush()
        }
        await flush()
    }

    /// Writes everything queued now.
    public func flush() async {
        while true {
            let batch = state.withLock { state -> [PredictionRecord] in
                let taken = Array(state.buffer.prefix(batchSize))
                state.buffer.removeFirst(taken.count)
                return taken
            }
            guard !batch.isEmpty else { return }
            do {
                let database = self.database
                try await database.backgroundWrite { db in try await PredictionLogStore.insert(batch, on: db) }
                state.withLock { $0.written += batch.count }
            } catch {
                state.withLock { $0.failed += batch.count }
                logger.error("could not write \(batch.count) prediction log record(s): \(error)")
            }
        }
    }
}
