import Foundation
import SQLKit

/// Applies migrations that have not run yet, each in its own transaction, and records them in
/// `schema_migrations`, so start-up is idempotent and several servers may start at once.
public enum MigrationRunner {
    /// Advisory-lock key that serialises concurrent migrators on PostgreSQL.
    private static let lockKey: Int64 = 0x4341_4952_4E00

    public static func run(_ migrations: [Migration], on database: Database) async throws {
        try await database.write { db in
            try await db.raw("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    module TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,
                    applied_at BIGINT NOT NULL, PRIMARY KEY (module, version))
                """).run()
        }
        for migration in migrations {
            try await database.write { db in
                try await database.lockForAllocation(db, key: lockKey)
                let applied = try await db.raw("""
                    SELECT version FROM schema_migrations
                    WHERE module = \(bind: migration.module) AND version = \(bind: migration.version)
                    """).first()
                guard applied == nil else { return }
                for statement in migration.statements(for: database.engine) {
                    try await db.raw("\(unsafeRaw: statement)").run()
                }
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                try await db.raw("""
                    INSERT INTO schema_migrations (module, version, name, applied_at)
                    VALUES (\(bind: migration.module), \(bind: migration.version), \(bind: migration.name), \(bind: now))
                    """).run()
            }
        }
    }
}
