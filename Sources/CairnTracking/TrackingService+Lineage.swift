import SQLKit

extension TrackingService {
    /// Runs (active or deleted) that logged a dataset with this digest as an input, oldest first.
    public func runIDs(usingDatasetDigest digest: String) async throws -> [String] {
        try await database.read { db in
            try await db.raw("""
                SELECT DISTINCT i.run_id, r.start_time FROM run_dataset_inputs i
                JOIN datasets d ON d.dataset_id = i.dataset_id
                JOIN runs r ON r.run_id = i.run_id
                WHERE d.digest = \(bind: digest) ORDER BY r.start_time, i.run_id
                """).all().map { try $0.decode(column: "run_id", as: String.self) }
        }
    }
}
