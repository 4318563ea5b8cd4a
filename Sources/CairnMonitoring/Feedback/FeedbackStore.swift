import CairnStorage
import SQLKit

/// Ground truth: the labels that arrived for logged predictions, by request id.
public enum FeedbackStore {
    public static let migrations: [Migration] = [
        Migration(module: "monitoring", version: 3, name: "prediction feedback", statements: [
            """
            CREATE TABLE prediction_feedback (
                request_id TEXT NOT NULL PRIMARY KEY,
                deployment_name TEXT NOT NULL,
                labels_json TEXT NOT NULL,
                time BIGINT NOT NULL)
            """,
        ]),
    ]

    /// The rows each of `requestIDs` logged for `deployment` (by its answer), or nil for an id
    /// that was not logged there.
    public static func loggedRows(_ requestIDs: [String], deployment: String, on db: any SQLDatabase) async throws -> [String: Int?] {
        var found: [String: Int?] = [:]
        for requestID in requestIDs {
            guard let row = try await db.raw("""
                SELECT inputs, outputs FROM prediction_log WHERE request_id = \(bind: requestID) AND deployment_name = \(bind: deployment)
                """).first() else { continue }
            let request = LoggedRequest(inputs: try row.decode(column: "inputs", as: String.self), outputs: try row.decode(column: "outputs", as: String.self))
            found[requestID] = .some(request?.predictions?.count)
        }
        return found
    }

    /// Records the labels of one request (replacing labels given before).
    public static func save(requestID: String, deployment: String, labelsJSON: String, at time: Int64, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM prediction_feedback WHERE request_id = \(bind: requestID)").run()
        try await db.raw("""
            INSERT INTO prediction_feedback (request_id, deployment_name, labels_json, time)
            VALUES (\(bind: requestID), \(bind: deployment), \(bind: labelsJSON), \(bind: time))
            """).run()
    }

    /// Logged requests of `deployment` answered since `since` (milliseconds) that have labels:
    /// the request, its answer and the labels as JSON.
    public static func labelled(deployment: String, since: Int64, limit: Int,
                                on db: any SQLDatabase) async throws -> [(inputs: String, outputs: String, labels: String)] {
        try await db.raw("""
            SELECT p.inputs, p.outputs, f.labels_json FROM prediction_log p JOIN prediction_feedback f ON f.request_id = p.request_id AND f.deployment_name = p.deployment_name
            WHERE p.deployment_name = \(bind: deployment) AND p.time >= \(bind: since) AND p.status = 200
            ORDER BY p.time DESC LIMIT \(bind: limit)
            """).all().map { row in
            (try row.decode(column: "inputs", as: String.self), try row.decode(column: "outputs", as: String.self),
             try row.decode(column: "labels_json", as: String.self))
        }
    }

    public static func deleteOlder(deployment: String, than cutoff: Int64, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM prediction_feedback WHERE deployment_name = \(bind: deployment) AND time < \(bind: cutoff)").run()
    }
}
