import CairnStorage
import CairnTestSupport
@testable import CairnFeatures
import Testing

@Suite("The online row cache: writes through it are read back at once, other writers within its max age")
struct CachedOnlineStoreTests {
    static func row(_ key: String, at time: Int64, _ value: Double) -> OnlineRow {
        OnlineRow(key: key, eventTime: time, createdTime: nil, values: ["score": .double(value)])
    }

    @Test("A materialized or pushed value replaces the cached one for the next read", arguments: TestDatabases.engines)
    func writeThrough(engine: DatabaseEngine) async throws {
        try await TestDatabases.with(engine, migrations: StorageSchema.migrations + FeatureSchema.migrations) { database in
            let cache = CachedOnlineStore(SQLOnlineStore(database: database), maxAge: .seconds(3600))
            #expect(try await cache.read(project: "p", view: "v", keys: ["u1"]).isEmpty)  // the absence is cached too
            _ = try await cache.write(project: "p", view: "v", rows: [Self.row("u1", at: 10, 0.5)])
            #expect(try await cache.read(project: "p", view: "v", keys: ["u1"])["u1"]?.values["score"] == .double(0.5))
            _ = try await cache.write(project: "p", view: "v", rows: [Self.row("u1", at: 20, 0.7)])
            #expect(try await cache.read(project: "p", view: "v", keys: ["u1"])["u1"]?.values["score"] == .double(0.7))
            // An older row does not replace a newer one, cached or not.
            _ = try await cache.write(project: "p", view: "v", rows: [Self.row("u1", at: 5, 0.1)])
            #expect(try await cache.read(project: "p", view: "v", keys: ["u1"])["u1"]?.values["score"] == .double(0.7))
        }
    }

    @Test("Another server's write to the shared store is read once the cached row is older than the max age", arguments: TestDatabases.engines)
    func otherWriters(engine: DatabaseEngine) async throws {
        try await TestDatabases.with(engine, migrations: StorageSchema.migrations + FeatureSchema.migrations) { database in
            let store = SQLOnlineStore(database: database)
            let here = CachedOnlineStore(store, maxAge: .milliseconds(300))
            let elsewhere = CachedOnlineStore(store, maxAge: .milliseconds(300))
            _ = try await here.write(project: "p", view: "v", rows: [Self.row("u1", at: 10, 0.5)])
            #expect(try await here.read(project: "p", view: "v", keys: ["u1"])["u1"]?.values["score"] == .double(0.5))
            _ = try await elsewhere.write(project: "p", view: "v", rows: [Self.row("u1", at: 20, 0.9)])
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await here.read(project: "p", view: "v", keys: ["u1"])["u1"]?.values["score"] == .double(0.9))
        }
    }

    @Test("Past its capacity the cache keeps at most that many rows, the latest read among them, and still answers every key",
          arguments: TestDatabases.engines)
    func capacity(engine: DatabaseEngine) async throws {
        try await TestDatabases.with(engine, migrations: StorageSchema.migrations + FeatureSchema.migrations) { database in
            let store = SQLOnlineStore(database: database)
            let cache = CachedOnlineStore(store, capacity: 100, maxAge: .seconds(3600))
            let rows = (0..<1_000).map { Self.row("u\($0)", at: 10, Double($0) + 0.5) }
            _ = try await cache.write(project: "p", view: "v", rows: rows)
            for row in rows {
                #expect(try await cache.read(project: "p", view: "v", keys: [row.key])[row.key]?.values == row.values)
                #expect(cache.cachedCount <= 100)
            }
            // The last rows read are still served from the cache: the store no longer has them.
            try await database.write { db in try await db.raw("DELETE FROM feature_online_values").run() }
            let recent = rows.suffix(40).map(\.key)
            #expect(try await cache.read(project: "p", view: "v", keys: recent).count == 40)
            #expect(try await cache.read(project: "p", view: "v", keys: ["u0"]).isEmpty)
        }
    }
}
