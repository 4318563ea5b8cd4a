import CairnCore
import CairnStorage
import Foundation
import SQLKit

/// The online store in the metadata store's own database (SQLite embedded, or PostgreSQL).
public struct SQLOnlineStore: OnlineStore {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func write(project: String, view: String, rows: [OnlineRow]) async throws -> Int {
        let database = self.database
        return try await database.write { db in
            var written = 0
            for row in rows {
                if let stored = try await Self.read(project: project, view: view, keys: [row.key], on: db)[row.key], !row.replaces(stored) { continue }
                let json = String(decoding: try JSONEncoder().encode(row.values), as: UTF8.self)
                try await db.raw("DELETE FROM feature_online_values WHERE project = \(bind: project) AND view_name = \(bind: view) AND entity_key = \(bind: row.key)").run()
                try await db.raw("""
                    INSERT INTO feature_online_values (project, view_name, entity_key, event_time, created_time, values_json, written_at)
                    VALUES (\(bind: project), \(bind: view), \(bind: row.key), \(bind: row.eventTime), \(bind: row.createdTime), \(bind: json), \(bind: Clock.nowMillis()))
                    """).run()
                written += 1
            }
            return written
        }
    }

    public func read(project: String, view: String, keys: [String]) async throws -> [String: OnlineRow] {
        let database = self.database
        return try await database.read { db in try await Self.read(project: project, view: view, keys: keys, on: db) }
    }

    static func read(project: String, view: String, keys: [String], on db: any SQLDatabase) async throws -> [String: OnlineRow] {
        guard !keys.isEmpty else { return [:] }
        let list = SQLList(keys.map { SQLBind($0) })
        let rows = try await db.raw("""
            SELECT entity_key, event_time, created_time, values_json FROM feature_online_values
            WHERE project = \(bind: project) AND view_name = \(bind: view) AND entity_key IN (\(list))
            """).all()
        var found: [String: OnlineRow] = [:]
        for row in rows {
            let key = try row.decode(column: "entity_key", as: String.self)
            found[key] = OnlineRow(key: key, eventTime: try row.decode(column: "event_time", as: Int64.self),
                                   createdTime: try row.decode(column: "created_time", as: Int64?.self),
                                   values: try FeatureValue.storedValues(Array(try row.decode(column: "values_json", as: String.self).utf8)))
        }
        return found
    }
}
