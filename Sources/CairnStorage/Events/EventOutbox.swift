import CairnCore
import Foundation
import SQLKit

/// The `events` table: writers append inside their own transaction, readers page by id.
///
/// Appends take a transaction-scoped lock on PostgreSQL so ids are handed out in commit order and
/// a reader's cursor (`after:`) never skips an event committed late with a smaller id.
public enum EventOutbox {
    static let appendLock: Int64 = 0x4341_4952_4E45

    /// Records an event as part of the caller's transaction `db`. `payload` is encoded as JSON.
    public static func append(type: String, subject: String, payload: some Encodable, actor: String,
                              database: Database, on db: any SQLDatabase) async throws {
        try await database.lockForAllocation(db, key: appendLock)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(payload), as: UTF8.self)
        try await db.raw("""
            INSERT INTO events (type, subject, payload, actor, created_at)
            VALUES (\(bind: type), \(bind: subject), \(bind: json), \(bind: actor), \(bind: Clock.nowMillis()))
            """).run()
    }

    /// Events with id greater than `after`, oldest first, optionally of some types and one subject
    /// (or every subject starting with `subjectPrefix`).
    public static func list(after: Int64, types: [String], subject: String? = nil, subjectPrefix: String? = nil, limit: Int,
                            on db: any SQLDatabase) async throws -> [Event] {
        var query: SQLQueryString = "SELECT id, type, subject, payload, actor, created_at FROM events WHERE id > \(bind: after)"
        if !types.isEmpty { query = query + " AND type IN (\(binds: types))" }
        if let subject { query = query + " AND subject = \(bind: subject)" }
        if let subjectPrefix {
            query = query + " AND " + SQLPrefix.startsWith("subject", subjectPrefix)
        }
        query = query + " ORDER BY id LIMIT \(bind: limit)"
        return try await db.raw(query).all().map { row in
            Event(id: try row.decode(column: "id", as: Int64.self), type: try row.decode(column: "type", as: String.self),
                  subject: try row.decode(column: "subject", as: String.self),
                  payloadJSON: try row.decode(column: "payload", as: String.self),
                  actor: try row.decode(column: "actor", as: String.self),
                  createdAt: try row.decode(column: "created_at", as: Int64.self))
        }
    }
}
