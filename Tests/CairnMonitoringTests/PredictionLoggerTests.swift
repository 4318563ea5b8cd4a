@testable import CairnMonitoring
import CairnStorage
import CairnTestSupport
import Testing

@Suite("Prediction log")
struct PredictionLoggerTests {
    func record(_ index: Int, deployment: String = "churn", time: Int64 = 1_000) -> PredictionRecord {
        PredictionRecord(requestID: "r\(index)", deployment: deployment, revision: 1, modelVersion: "3", time: time + Int64(index),
                         latencyMilliseconds: 0.5, status: 200, inputs: #"{"inputs": [\#(index)]}"#, outputs: #"{"outputs": []}"#)
    }

    @Test("Offers beyond the buffer are dropped and counted; what was taken is written, in batches, and reads back newest first",
          arguments: TestDatabases.engines)
    func boundedAndWritten(engine: DatabaseEngine) async throws {
        try await TestDatabases.with(engine, migrations: StorageSchema.migrations + PredictionLogSchema.migrations) { database in
            let logger = PredictionLogger(database: database, capacity: 10, batchSize: 4, logger: TestDatabases.logger)
            let taken = (0..<15).map { logger.offer(record($0)) }
            #expect(taken == Array(repeating: true, count: 10) + Array(repeating: false, count: 5))
            #expect(logger.counts == .init(written: 0, dropped: 5, failed: 0, queued: 10))
            await logger.flush()
            #expect(logger.counts == .init(written: 10, dropped: 5, failed: 0, queued: 0))
            let stored = try await database.read { db in try await PredictionLogStore.records(deployment: "churn", before: nil, limit: 100, on: db) }
            #expect(stored.map(\.requestID) == (0..<10).reversed().map { "r\($0)" })
            #expect(stored.last == record(0))
            // Retention: older than the cutoff goes, the rest stays.
            try await database.write { db in try await PredictionLogStore.deleteOlder(deployment: "churn", than: 1_005, on: db) }
            let kept = try await database.read { db in try await PredictionLogStore.records(deployment: "churn", before: nil, limit: 100, on: db) }
            #expect(kept.map(\.requestID) == ["r9", "r8", "r7", "r6", "r5"])
        }
    }
}
