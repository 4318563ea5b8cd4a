import CairnCore
import CairnTestSupport
import SQLKit
import Testing
@testable import CairnStorage

@Suite("Metadata store transactions and migrations, on every engine")
struct DatabaseTests {
    static let migrations = [
        Migration(module: "test", version: 1, name: "items", statements: [
            "CREATE TABLE items (id BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL)",
        ]),
    ]

    @Test("A transaction that throws leaves nothing behind", arguments: TestDatabases.engines)
    func rollback(engine: DatabaseEngine) async throws {
        try await TestDatabases.with(engine, migrations: Self.migrations) { database in
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await database.write { db in
                    try await db.raw("INSERT INTO items (id, name) VALUES (1, 'first')").run()
                    throw Abort()
                }
            }
            let count = try await database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM items").first()!.decode(column: "n", as: Int.self)
            }
            #expect(count == 0)
        }
    }

    @Test("Concurrent writers all commit", arguments: TestDatabases.engines)
    func concurrentWrites(engine: DatabaseEngine) async throws {
        try await TestDatabases.with(engine, migrations: Self.migrations) { database in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in 0..<64 {
                    group.addTask {
                        try await database.write { db in
                            try await db.raw("INSERT INTO items (id, name) VALUES (\(bind: id), \(bind: "item \(id)"))").run()
                        }
                    }
                }
                try await group.waitForAll()
            }
            let count = try await database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM items").first()!.decode(column: "n", as: Int.self)
            }
            #expect(count == 64)
        }
    }

    @Test("Background writes interleaved with request writes all commit, and one that throws leaves nothing", arguments: TestDatabases.engines)
    func backgroundWrites(engine: DatabaseEngine) async throws {
        try await TestDatabases.with(engine, migrations: Self.migrations) { database in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in 0..<64 {
                    group.addTask {
                        let insert: (any SQLDatabase) async throws -> Void = { db in
                            try await db.raw("INSERT INTO items (id, name) VALUES (\(bind: id), \(bind: "item \(id)"))").run()
                        }
                        if id.isMultiple(of: 2) { try await database.backgroundWrite(insert) } else { try await database.write(insert) }
                    }
                }
                try await group.waitForAll()
            }
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await database.backgroundWrite { db in
                    try await db.raw("INSERT INTO items (id, name) VALUES (1000, 'never')").run()
                    throw Abort()
                }
            }
            let count = try await database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM items").first()!.decode(column: "n", as: Int.self)
            }
            #expect(count == 64)
        }
    }

    @Test("Migrations run once, however often start-up repeats", arguments: TestDatabases.engines)
    func migrationsAreIdempotent(engine: DatabaseEngine) async throws {
        try await TestDatabases.with(engine, migrations: Self.migrations) { database in
            try await MigrationRunner.run(Self.migrations, on: database)
            try await MigrationRunner.run(Self.migrations, on: database)
            let applied = try await database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM schema_migrations WHERE module = 'test'").first()!.decode(column: "n", as: Int.self)
            }
            #expect(applied == 1)
        }
    }

    @Test("Backend URIs are parsed as MLflow writes them")
    func parsesURIs() throws {
        #expect(try DatabaseLocation(uri: "sqlite:///cairn-data/cairn.db") == .sqlite(path: "cairn-data/cairn.db"))
        #expect(try DatabaseLocation(uri: "sqlite:////tmp/x.db") == .sqlite(path: "/tmp/x.db"))
        guard case .postgres(let pg) = try DatabaseLocation(uri: "postgresql://u:p@db.local:6543/cairn") else {
            Issue.record("not postgres"); return
        }
        #expect(pg.host == "db.local" && pg.port == 6543 && pg.username == "u" && pg.password == "p" && pg.database == "cairn")
        #expect(throws: CairnError.self) { try DatabaseLocation(uri: "mysql://x/y") }
        #expect(throws: CairnError.self) { try DatabaseLocation(uri: "sqlite:///") }
    }
}
