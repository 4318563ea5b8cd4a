import CairnStorage
import Foundation
import SQLKit

/// Monitors (rules as JSON, by deployment and name) and the alerts they raised.
public enum MonitorStore {
    public static let migrations: [Migration] = [
        Migration(module: "monitoring", version: 4, name: "monitors and alerts", statements: [
            """
            CREATE TABLE monitors (
                deployment_name TEXT NOT NULL,
                name TEXT NOT NULL,
                rule_json TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (deployment_name, name))
            """,
            """
            CREATE TABLE alerts (
                id TEXT NOT NULL PRIMARY KEY,
                deployment_name TEXT NOT NULL,
                monitor_name TEXT NOT NULL,
                state TEXT NOT NULL,
                fired_at BIGINT NOT NULL,
                alert_json TEXT NOT NULL)
            """,
            "CREATE INDEX alerts_by_deployment ON alerts (deployment_name, fired_at)",
        ]),
    ]

    public static func insert(_ rule: MonitorRule, deployment: String, at time: Int64, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO monitors (deployment_name, name, rule_json, created_at)
            VALUES (\(bind: deployment), \(bind: rule.name), \(bind: try json(rule)), \(bind: time))
            """).run()
    }

    public static func monitors(deployment: String?, on db: any SQLDatabase) async throws -> [(deployment: String, rule: MonitorRule)] {
        let filter: SQLQueryString = deployment.map { "WHERE deployment_name = \(bind: $0)" } ?? ""
        return try await db.raw("SELECT deployment_name, rule_json FROM monitors \(filter) ORDER BY deployment_name, name").all().map { row in
            (try row.decode(column: "deployment_name", as: String.self),
             try JSONDecoder().decode(MonitorRule.self, from: Data(try row.decode(column: "rule_json", as: String.self).utf8)))
        }
    }

    /// Deletes one monitor, or all of a deployment's with `name` nil; whether any was there.
    @discardableResult
    public static func delete(deployment: String, name: String?, on db: any SQLDatabase) async throws -> Bool {
        let filter: SQLQueryString = name.map { " AND name = \(bind: $0)" } ?? ""
        let found = try await db.raw("SELECT name FROM monitors WHERE deployment_name = \(bind: deployment)\(filter)").first() != nil
        try await db.raw("DELETE FROM monitors WHERE deployment_name = \(bind: deployment)\(filter)").run()
        return found
    }

    /// Inserts the alert, or updates it (on resolution).
    public static func save(_ alert: Alert, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM alerts WHERE id = \(bind: alert.id)").run()
        try await db.raw("""
            INSERT INTO alerts (id, deployment_name, monitor_name, state, fired_at, alert_json)
            VALUES (\(bind: alert.id), \(bind: alert.deployment), \(bind: alert.monitor), \(bind: alert.state.rawValue), \(bind: alert.firedAt),
                    \(bind: try json(alert)))
            """).run()
    }

    /// The alerts of `deployment` (or every deployment), newest first; only firing ones with `firingOnly`.
    public static func alerts(deployment: String?, firingOnly: Bool, limit: Int, on db: any SQLDatabase) async throws -> [Alert] {
        var filters: [SQLQueryString] = []
        if let deployment { filters.append("deployment_name = \(bind: deployment)") }
        if firingOnly { filters.append("state = 'firing'") }
        let clause: SQLQueryString = filters.isEmpty ? "" : "WHERE " + filters.joined(separator: " AND ")
        return try await db.raw("SELECT alert_json FROM alerts \(clause) ORDER BY fired_at DESC, id LIMIT \(bind: limit)").all().map { row in
            try JSONDecoder().decode(Alert.self, from: Data(try row.decode(column: "alert_json", as: String.self).utf8))
        }
    }

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}
