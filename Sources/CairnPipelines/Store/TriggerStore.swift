import SQLKit

/// Where each pipeline's schedule and event triggers stand.
enum TriggerStore {
    struct Position: Sendable {
        var pipelineName: String
        var lastScheduledAt: Int64
        var eventCursor: Int64
    }

    /// Starts a pipeline's triggers from now: no schedule backfill, and no replay of events from
    /// before this registration (also when a new version of the spec adds triggers).
    static func start(pipelineName: String, now: Int64, on db: any SQLDatabase) async throws {
        let latestEvent = try await db.raw("SELECT COALESCE(MAX(id), 0) AS latest FROM events").first()?
            .decode(column: "latest", as: Int64.self) ?? 0
        try await db.raw("""
            INSERT INTO pipeline_triggers (pipeline_name, last_scheduled_at, event_cursor)
            VALUES (\(bind: pipelineName), \(bind: now), \(bind: latestEvent))
            ON CONFLICT (pipeline_name) DO UPDATE SET event_cursor = excluded.event_cursor
            """).run()
    }

    static func positions(on db: any SQLDatabase) async throws -> [Position] {
        try await db.raw("SELECT pipeline_name, last_scheduled_at, event_cursor FROM pipeline_triggers").all().map { row in
            Position(pipelineName: try row.decode(column: "pipeline_name", as: String.self),
                     lastScheduledAt: try row.decode(column: "last_scheduled_at", as: Int64.self),
                     eventCursor: try row.decode(column: "event_cursor", as: Int64.self))
        }
    }

    static func save(_ position: Position, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE pipeline_triggers SET last_scheduled_at = \(bind: position.lastScheduledAt), event_cursor = \(bind: position.eventCursor)
            WHERE pipeline_name = \(bind: position.pipelineName)
            """).run()
    }
}
