import CairnCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOPosix
import SQLKit
import SQLiteKit
import Synchronization

/// SQLite in WAL mode: one writer connection behind a FIFO lock (SQLite allows one writer at a time,
/// and queueing here avoids SQLITE_BUSY), plus a few reader connections that never block it.
/// `synchronous=FULL` makes every acknowledged commit survive a crash of the process or the machine.
/// Background writes (work no request waits on) take the same lock but run on a connection of
/// their own whose thread has a lower CPU priority (`backgroundNice`): on a busy machine SQLite's
/// CPU time for them yields to request handling instead of adding to its latency.
final class SQLiteBackend: DatabaseBackend {
    private let writer: SQLiteConnection
    private let backgroundWriter: SQLiteConnection
    private let backgroundThread: NIOThreadPool
    private let readers: [SQLiteConnection]
    private let writeLock = AsyncLock()
    private let nextReader = Atomic<Int>(0)
    private let logger: Logger
    /// The background writer thread's nice value: about a tenth of a core's share when it competes with request threads.
    static let backgroundNice: Int32 = 10

    private init(writer: SQLiteConnection, backgroundWriter: SQLiteConnection, backgroundThread: NIOThreadPool, readers: [SQLiteConnection],
                 logger: Logger) {
        self.writer = writer
        self.backgroundWriter = backgroundWriter
        self.backgroundThread = backgroundThread
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
        let backgroundThread = NIOThreadPool(numberOfThreads: 1)
        backgroundThread.start()
        try await backgroundThread.runIfActive {
            #if os(Linux)
            // On Linux the nice value is per thread, and 0 names the calling one.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, backgroundNice)
            #endif
        }
        let backgroundWriter = try await openConnection(path: path, logger: logger, threadPool: backgroundThread)
        return SQLiteBackend(writer: writer, backgroundWriter: backgroundWriter, backgroundThread: backgroundThread, readers: readers, logger: logger)
    }

    private static func openConnection(path: String, logger: Logger, threadPool: NIOThreadPool = .singleton) async throws -> SQLiteConnection {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger,
                                                         on: MultiThreadedEventLoopGroup.singleton.any())
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

    func backgroundTransaction<R: Sendable>(_ body: (any SQLDatabase) async throws -> R) async throws -> R {
        try await writeLock.withLock {
            try await runTransaction(on: SQLiteSQLConnection(connection: backgroundWriter, logger: logger), begin: "BEGIN IMMEDIATE", logger: logger, body)
        }
    }

    func close() async {
        for connection in readers + [writer, backgroundWriter] {
            try? await connection.close()
        }
        try? await backgroundThread.shutdownGracefully()
    }
}
