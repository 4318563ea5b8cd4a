import CairnServing
import Foundation
import Synchronization
import Testing

/// Adaptive batching over a real ONNX model: concurrent requests are predicted in fewer, larger
/// calls, and each request still gets the answer it gets alone.
@Suite("Adaptive batching", .enabled(if: ProcessInfo.processInfo.environment["CAIRN_TEST_PYTHON"] != nil))
struct BatchingModelTests {
    /// The real model, recording how many rows each prediction it was asked for had.
    final class RecordingModel: InferenceModel {
        let base: any InferenceModel
        let calls = Mutex<[Int]>([])
        init(_ base: any InferenceModel) { self.base = base }
        var name: String { base.name }
        var version: String { base.version }
        var platform: String { base.platform }
        var inputs: [TensorSignature] { base.inputs }
        var outputs: [TensorSignature] { base.outputs }
        func predict(_ feeds: [String: Tensor]) async throws -> [String: Tensor] {
            calls.withLock { $0.append(feeds.values.first?.rowCount ?? 0) }
            return try await base.predict(feeds)
        }
    }

    @Test("40 concurrent single-row requests are batched (at most 16 rows a call) and answered as alone")
    func batchesConcurrentRequests() async throws {
        let (onnx, expected, folder) = try OnnxSessionTests.loadModel()
        defer { try? FileManager.default.removeItem(at: folder) }
        let recording = RecordingModel(onnx)
        let batching = BatchingModel(recording, maxBatchSize: 16, maxWait: .milliseconds(50))
        let requests = (0..<40).map { index in
            [expected.input: Tensor(shape: [1, 6], elements: .float32(expected.rows[index % expected.rows.count]))]
        }
        let alone = try await requests.asyncMap { try await onnx.predict($0) }
        let batched = try await withThrowingTaskGroup(of: (Int, [String: Tensor]).self) { group in
            for (index, feeds) in requests.enumerated() { group.addTask { (index, try await batching.predict(feeds)) } }
            var answers = [[String: Tensor]](repeating: [:], count: requests.count)
            for try await (index, answer) in group { answers[index] = answer }
            return answers
        }
        // Labels exactly; scores to ONNX Runtime's own 1e-6, since its LinearClassifier takes a
        // different kernel for one row than for several (a last-place difference).
        #expect(batched.map { $0["label"] } == alone.map { $0["label"] })
        for (got, want) in zip(batched, alone) {
            let pairs = zip(got["probabilities"]!.elements.doubles, want["probabilities"]!.elements.doubles)
            #expect(pairs.allSatisfy { abs($0 - $1) <= 1e-6 })
        }
        let calls = recording.calls.withLock { $0 }
        #expect(calls.reduce(0, +) == 40)
        #expect(calls.count < 40 && calls.allSatisfy { $0 <= 16 }, "calls: \(calls)")
    }

    @Test("Requests as large as a batch, or that do not stack, are predicted on their own")
    func oddRequestsRunAlone() async throws {
        let (onnx, expected, folder) = try OnnxSessionTests.loadModel()
        defer { try? FileManager.default.removeItem(at: folder) }
        let recording = RecordingModel(onnx)
        let batching = BatchingModel(recording, maxBatchSize: 4, maxWait: .milliseconds(20))
        let five = Tensor(shape: [5, 6], elements: .float32(expected.rows.flatMap { $0 }))
        #expect(try await batching.predict([expected.input: five])["label"] == Tensor(shape: [5], elements: .int64(expected.label)))
        // A malformed request batched with a good one fails alone; the good one is answered.
        let input = expected.input, first = expected.rows[0]
        let good = Task { try await batching.predict([input: Tensor(shape: [1, 6], elements: .float32(first))]) }
        let bad = Task { try await batching.predict([input: Tensor(shape: [1, 3], elements: .float32([1, 2, 3]))]) }
        #expect(try await good.value["label"] == Tensor(shape: [1], elements: .int64([expected.label[0]])))
        await #expect(throws: (any Error).self) { try await bad.value }
        #expect(recording.calls.withLock { $0 }.first == 5)
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
