import SQLKit

/// SQL for the prediction log.
public enum PredictionLogStore {
    /// Inserts a batch, `rowsPerStatement` rows to a statement; a request id logged twice keeps its first record.
    static func insert(_ records: [PredictionRecord], on db: any SQLDatabase) async throws {
        for start in stride(from: 0, to: records.count, by: rowsPerStatement) {
            var insert = db.insert(into: "prediction_log")
                .columns("request_id", "deployment_name", "revision", "model_version", "time", "latency_ms", "status", "inputs", "outputs")
            for record in records[start..<min(start + rowsPerStatement, records.count)] {
                insert = insert.values([record.requestID, record.deployment, record.revision, record.modelVersion, record.time,
                                        record.latencyMilliseconds, record.status, record.inputs, record.outputs] as [any Encodable & Sendable])
            }
            try await insert.ignoringConflicts(with: ["request_id"]).run()
        }
    }

    /// Rows per INSERT: one statement to parse and run per hundred records, 900 parameters (well
    /// under SQLite's and PostgreSQL's limits).
    static let rowsPerStatement = 100

    /// The newest records of `deployment` before `before` (milliseconds), newest first.
    public static func records(deployment: String, before: Int64?, limit: Int, on db: any SQLDatabase) async throws -> [PredictionRecord] {
        try await db.raw("""
            SELECT request_id, deployment_name, revision, model_version, time, latency_ms, status, inputs, outputs FROM prediction_log
            WHERE deployment_name = \(bind: deployment) AND time < \(bind: before ?? Int64.max)
            ORDER BY time DESC, request_id LIMIT \(bind: limit)
            """).all().map { row in
            PredictionRecord(requestID: try row.decode(column: "request_id", as: String.self), deployment: try row.decode(column: "deployment_name", as: String.self),
                             revision: try row.decode(column: "revision", as: Int.self), modelVersion: try row.decode(column: "model_version", as: String?.self),
                             time: try row.decode(column: "time", as: Int64.self), latencyMilliseconds: try row.decode(column: "latency_ms", as: Double.self),
                             status: try row.decode(column: "status", as: Int.self), inputs: try row.decode(column: "inputs", as: String.self),
                             outputs: try row.decode(column: "outputs", as: String.self))
        }
    }

    /// The request and answer bodies of `revision`'s successful requests since `since`, newest first.
    public static func answeredBodies(deployment: String, revision: Int, since: Int64, limit: Int,
                                      on db: any SQLDatabase) async throws -> [(inputs: String, outputs: String)] {
        try await db.raw("""
            SELECT inputs, outputs FROM prediction_log
            WHERE deployment_name = \(bind: deployment) AND revision = \(bind: revision) AND time >= \(bind: since) AND status = 200
            ORDER BY time DESC LIMIT \(bind: limit)
            """).all().map { row in (try row.decode(column: "inputs", as: String.self), try row.decode(column: "outputs", as: String.self)) }
    }

    /// Deletes `deployment`'s records older than `cutoff` (milliseconds).
    public static func deleteOlder(deployment: String, than cutoff: Int64, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM prediction_log WHERE deployment_name = \(bind: deployment) AND time < \(bind: cutoff)").run()
    }
}
