import CairnCore
import Foundation
import Logging
import SQLKit
import SQLiteKit
import Synchronization

/// SQLite in WAL mode: one writer connection behind a FIFO lock (SQLite allows one writer at a time,
/// and queueing here avoids SQLITE_BUSY), plus a few reader connections that never block it.
/// `synchronous=FULL` makes every acknowledged commit survive a crash of the process or the machine.
final class SQLiteBackend: DatabaseBackend {
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let writeLock = AsyncLock()
    private let nextReader = Atomic<Int>(0)
    private let logger: Logger

    private init(writer: SQLiteConnection, readers: [SQLiteConnection], logger: Logger) {
        self.writer = writer
        self.readers = readers
        self.logger = logger
    }

    static func open(path: String, logger: Logger, readerCount: Int = 4) async throws -> SQLiteBackend {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let writer = try await openConnection(path: path, logger: logger)
        try await writer.sql().raw("PRAGMA journal_mode=WAL").run()
        var readers: [SQLiteConnection] = []
        for _ in 0..<readerCount {
            readers.append(try await openConnection(path: path, logger: logger))
        }
        return SQLiteBackend(writer: writer, readers: readers, logger: logger)
    }

    private static func openConnection(path: String, logger: Logger) async throws -> SQLiteConnection {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let db = connection.sql(queryLogLevel: nil)
        try await db.raw("PRAGMA busy_timeout=10000").run()
        try await db.raw("PRAGMA synchronous=FULL").run()
        try await db.raw("PRAGMA foreign_keys=ON").run()
        // MLflow's LIKE is case-sensitive on every engine; ILIKE is written as LOWER(..) LIKE LOWER(..).
        try await db.raw("PRAGMA case_sensitive_like=ON").run()
        return connection
    }

    func read<R: Sendable>(_ body: (any SQLDatabase) async throws -> R) async throws -> R {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        let connection = readers[abs(index % readers.count)]
        return try await body(SQLiteSQLConnection(connection: connection, logger: logger))
    }

    func transaction<R: Sendable>(_ body: (any SQLDatabase) async throws -> R) async throws -> R {
        try await writeLock.withLock {
            try await runTransaction(on: SQLiteSQLConnection(connection: writer, logger: logger), begin: "BEGIN IMMEDIATE", logger: logger, body)
        }
    }

    func close() async {
        for connection in readers + [writer] {
            try? await connection.close()
        }
    }
}
