import CairnCore
import Logging
import SQLKit

/// The SQL dialect family behind a `Database`; queries are written once and run on both.
public enum DatabaseEngine: String, Sendable {
    case sqlite
    case postgres
}

/// The metadata store. Reads run on a pool of connections; writes run inside one transaction each,
/// so a request either applies whole or not at all.
public final class Database: Sendable {
    public let engine: DatabaseEngine
    private let backend: any DatabaseBackend

    init(engine: DatabaseEngine, backend: any DatabaseBackend) {
        self.engine = engine
        self.backend = backend
    }

    /// Opens (and creates, for SQLite) the store at `location`.
    public static func open(_ location: DatabaseLocation, logger: Logger) async throws -> Database {
        switch location {
        case .sqlite(let path):
            return Database(engine: .sqlite, backend: try await SQLiteBackend.open(path: path, logger: logger))
        case .postgres(let postgres):
            return Database(engine: .postgres, backend: try await PostgresBackend.open(postgres, logger: logger))
        }
    }

    /// Runs `body` against a connection for reads. Statements see committed data only.
    public func read<R: Sendable>(_ body: (any SQLDatabase) async throws -> R) async throws -> R {
        try await backend.read(body)
    }

    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws.
    public func write<R: Sendable>(_ body: (any SQLDatabase) async throws -> R) async throws -> R {
        try await backend.transaction(body)
    }

    /// Runs `body` in a transaction for work no request waits on (the prediction log): where the
    /// engine runs in this process (SQLite), at a lower CPU priority than request handling.
    public func backgroundWrite<R: Sendable>(_ body: (any SQLDatabase) async throws -> R) async throws -> R {
        try await backend.backgroundTransaction(body)
    }

    /// Serialises transactions that allocate the same kind of sequential id (`experiment_id`, model
    /// version numbers). SQLite already runs one writer at a time; PostgreSQL takes an advisory lock
    /// held until the transaction ends.
    public func lockForAllocation(_ db: any SQLDatabase, key: Int64) async throws {
        guard engine == .postgres else { return }
        try await db.raw("SELECT pg_advisory_xact_lock(\(bind: key))").run()
    }

    public func close() async {
        await backend.close()
    }
}

/// Runs `body` between `begin` and COMMIT on one connection, rolling back if it throws.
func runTransaction<R: Sendable>(on db: any SQLDatabase, begin: String, logger: Logger,
                                 _ body: (any SQLDatabase) async throws -> R) async throws -> R {
    try await db.raw("\(unsafeRaw: begin)").run()
    do {
        let result = try await body(db)
        try await db.raw("COMMIT").run()
        return result
    } catch {
        do { try await db.raw("ROLLBACK").run() } catch {
            logger.error("Rollback failed: \(error)")
        }
        throw error
    }
}

/// One engine's way of handing out connections and transactions.
protocol DatabaseBackend: Sendable {
    func read<R: Sendable>(_ body: (any SQLDatabase) async throws -> R) async throws -> R
    func transaction<R: Sendable>(_ body: (any SQLDatabase) async throws -> R) async throws -> R
    /// A transaction no request waits on; the same as `transaction` unless the engine says otherwise.
    func backgroundTransaction<R: Sendable>(_ body: (any SQLDatabase) async throws -> R) async throws -> R
    func close() async
}

extension DatabaseBackend {
    func backgroundTransaction<R: Sendable>(_ body: (any SQLDatabase) async throws -> R) async throws -> R {
        try await transaction(body)
    }
}
