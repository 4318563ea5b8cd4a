import CairnCore
import Logging
import PostgresKit
import SQLKit

/// PostgreSQL through PostgresNIO's connection pool; a transaction holds one pooled connection.
final class PostgresBackend: DatabaseBackend {
    private let client: PostgresClient
    private let runTask: Task<Void, Never>
    private let logger: Logger

    private init(client: PostgresClient, runTask: Task<Void, Never>, logger: Logger) {
        self.client = client
        self.runTask = runTask
        self.logger = logger
    }

    static func open(_ location: DatabaseLocation.PostgresLocation, logger: Logger) async throws -> PostgresBackend {
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.username,
            password: location.password, database: location.database, tls: .disable)
        configuration.options.maximumConnections = 16
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let runTask = Task { await client.run() }
        let backend = PostgresBackend(client: client, runTask: runTask, logger: logger)
        do {
            try await backend.read { db in try await db.raw("SELECT 1").run() }
        } catch {
            runTask.cancel()
            throw CairnError(.temporarilyUnavailable,
                             "Cannot connect to PostgreSQL at \(location.host):\(location.port)/\(location.database): \(String(reflecting: error))")
        }
        return backend
    }

    func read<R: Sendable>(_ body: (any SQLDatabase) async throws -> R) async throws -> R {
        try await client.withConnection { connection in
            try await body(connection.sql(queryLogLevel: nil))
        }
    }

    func transaction<R: Sendable>(_ body: (any SQLDatabase) async throws -> R) async throws -> R {
        // Written out rather than calling `runTransaction`: handing the caller's non-Sendable
        // closure on from inside the pool's closure is a region-isolation error in Swift 6.
        try await client.withConnection { connection in
            let db = connection.sql(queryLogLevel: nil)
            try await db.raw("BEGIN").run()
            do {
                let result = try await body(db)
                try await db.raw("COMMIT").run()
                return result
            } catch {
                do { try await db.raw("ROLLBACK").run() } catch {
                    logger.error("PostgreSQL rollback failed: \(error)")
                }
                throw error
            }
        }
    }

    func close() async {
        runTask.cancel()
        _ = await runTask.value
    }
}
