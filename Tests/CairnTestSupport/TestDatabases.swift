import CairnCore
import CairnStorage
import Foundation
import Logging
import SQLKit

/// Fresh, throwaway metadata stores for tests: a temp-file SQLite database always, and a new
/// PostgreSQL database when `CAIRN_TEST_POSTGRES_URI` names a server (the test command starts
/// one). Under CI the PostgreSQL server is required, so the store suite can never silently run
/// on one engine only.
public enum TestDatabases {
    public static var engines: [DatabaseEngine] {
        if postgresAdminURI != nil { return [.sqlite, .postgres] }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            fatalError("CAIRN_TEST_POSTGRES_URI must be set under CI: the store tests run on SQLite and PostgreSQL.")
        }
        return [.sqlite]
    }

    static var postgresAdminURI: String? {
        ProcessInfo.processInfo.environment["CAIRN_TEST_POSTGRES_URI"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public static let logger: Logger = {
        var logger = Logger(label: "cairn-test")
        logger.logLevel = .warning
        return logger
    }()

    /// A new empty database of `engine`, migrated with `migrations`.
    public static func make(_ engine: DatabaseEngine, migrations: [Migration]) async throws -> Database {
        let database = try await Database.open(try DatabaseLocation(uri: try await uri(for: engine)), logger: logger)
        try await MigrationRunner.run(migrations, on: database)
        return database
    }

    /// The URI of a new empty database of `engine`.
    public static func uri(for engine: DatabaseEngine) async throws -> String {
        switch engine {
        case .sqlite:
            return "sqlite:///" + temporaryDirectory().appendingPathComponent("cairn.db").path
        case .postgres:
            guard let admin = postgresAdminURI, case .postgres(let location) = try DatabaseLocation(uri: admin) else {
                throw CairnError.internalError("CAIRN_TEST_POSTGRES_URI is not set")
            }
            let name = "cairn_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            let adminDatabase = try await Database.open(.postgres(location), logger: logger)
            try await adminDatabase.read { db in try await db.raw("CREATE DATABASE \(unsafeRaw: String(name))").run() }
            await adminDatabase.close()
            let auth = location.password.map { "\(location.username):\($0)" } ?? location.username
            return "postgresql://\(auth)@\(location.host):\(location.port)/\(name)"
        }
    }

    /// A new empty folder under the system temp directory.
    public static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-test-\(UUID().uuidString)", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

extension TestDatabases {
    /// Runs `body` with a fresh database of `engine` and closes it afterwards, even on failure.
    public static func with<R: Sendable>(_ engine: DatabaseEngine, migrations: [Migration],
                                         _ body: (Database) async throws -> R) async throws -> R {
        let database = try await make(engine, migrations: migrations)
        do {
            let result = try await body(database)
            await database.close()
            return result
        } catch {
            await database.close()
            throw error
        }
    }
}
