/// Adaptive batching, off unless asked for: requests arriving within `maxWait` of the first one
/// waiting are stacked along the first dimension, up to `maxBatchSize` rows, and predicted in one
/// call; each request gets back exactly its own rows. A request as large as a batch, or one that
/// cannot be stacked with the rest (another element type or row shape), is predicted on its own.
public struct BatchingModel: InferenceModel {
    let base: any InferenceModel
    let queue: BatchQueue

    public init(_ base: any InferenceModel, maxBatchSize: Int, maxWait: Duration, metrics: ReplicaMetrics? = nil) {
        self.base = base
        queue = BatchQueue(base: base, maxRows: maxBatchSize, maxWait: maxWait, metrics: metrics)
    }

    public var name: String { base.name }
    public var version: String { base.version }
    public var platform: String { base.platform }
    public var inputs: [TensorSignature] { base.inputs }
    public var outputs: [TensorSignature] { base.outputs }
    public var isAvailable: Bool { base.isAvailable }
    public func start() async throws { try await base.start() }
    public func stop() async { await base.stop() }

    public func predict(_ feeds: [String: Tensor]) async throws -> [String: Tensor] {
        let rows = Set(feeds.values.map(\.rowCount))
        guard rows.count == 1, let count = rows.first, count < queue.maxRows else { return try await base.predict(feeds) }
        return try await queue.submit(feeds, rows: count)
    }
}

/// The requests waiting to be batched, and the timer that sends a batch that did not fill up.
actor BatchQueue {
    struct Waiting {
        let feeds: [String: Tensor]
        let rows: Int
        let continuation: CheckedContinuation<[String: Tensor], any Error>
    }

    let base: any InferenceModel
    nonisolated let maxRows: Int
    let maxWait: Duration
    let metrics: ReplicaMetrics?
    private var waiting: [Waiting] = []
    private var waitingRows = 0
    /// Counts batches sent, so a timer set for one batch does not cut a later one short.
    private var sent = 0

    init(base: any InferenceModel, maxRows: Int, maxWait: Duration, metrics: ReplicaMetrics?) {
        self.base = base
        self.maxRows = maxRows
        self.maxWait = maxWait
        self.metrics = metrics
    }

    func submit(_ feeds: [String: Tensor], rows: Int) async throws -> [String: Tensor] {
        try await withCheckedThrowingContinuation { continuation in
            if waitingRows + rows > maxRows { send() }
            waiting.append(Waiting(feeds: feeds, rows: rows, continuation: continuation))
            waitingRows += rows
            metrics?.queuedRows.set(to: Double(waitingRows))
            if waitingRows >= maxRows {
                send()
            } else if waiting.count == 1 {
                let batch = sent, wait = maxWait
                Task { [weak self] in
                    try? await Task.sleep(for: wait)
                    await self?.sendIfStill(batch)
                }
            }
        }
    }

    private func sendIfStill(_ batch: Int) {
        if batch == sent, !waiting.isEmpty { send() }
    }

    /// Hands the waiting requests to a task of their own, so new ones queue while it runs.
    private func send() {
        let batch = waiting, base = base
        metrics?.batchRows.record(Int64(waitingRows))
        waiting = []
        waitingRows = 0
        metrics?.queuedRows.set(to: 0)
        sent += 1
        guard !batch.isEmpty else { return }
        Task { await Self.predict(batch, on: base) }
    }

    private static func predict(_ batch: [Waiting], on base: any InferenceModel) async {
        if batch.count > 1, let answers = await together(batch, on: base) {
            for (request, answer) in zip(batch, answers) { request.continuation.resume(returning: answer) }
            return
        }
        // Alone: one request, requests that do not stack, or a batch whose prediction failed (so
        // each request gets its own answer or error).
        for request in batch {
            do { request.continuation.resume(returning: try await base.predict(request.feeds)) } catch {
                request.continuation.resume(throwing: error)
            }
        }
    }

    /// One prediction for the whole batch, cut back into each request's rows; nil when the
    /// inputs do not stack, an output is not one row per input row, or the prediction failed.
    private static func together(_ batch: [Waiting], on base: any InferenceModel) async -> [[String: Tensor]]? {
        var joined: [String: Tensor] = [:]
        for name in batch[0].feeds.keys {
            let parts = batch.compactMap { $0.feeds[name] }
            guard parts.count == batch.count, let tensor = Tensor.concatenate(parts) else { return nil }
            joined[name] = tensor
        }
        guard let outputs = try? await base.predict(joined) else { return nil }
        let total = batch.reduce(0) { $0 + $1.rows }
        guard outputs.values.allSatisfy({ $0.shape.count >= 1 && $0.rowCount == total }) else { return nil }
        var start = 0
        return batch.map { request in
            defer { start += request.rows }
            return outputs.mapValues { $0.rows(start..<start + request.rows) }
        }
    }
}
