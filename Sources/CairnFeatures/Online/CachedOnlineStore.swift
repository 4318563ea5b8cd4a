import Synchronization

/// A read-through cache of decoded online rows in front of another online store, so a lookup of
/// an entity read recently costs no store round trip (a thread hop and a JSON parse per row on
/// SQLite, a network round trip on Redis).
///
/// Writes go to the store first, then drop the rows they touched from the cache: a value pushed
/// or materialized through this server is read back at once. A row (or its absence) read from
/// the store is kept at most `maxAge`, which bounds how long a write by another server sharing
/// the store stays unseen here. At most `capacity` rows are kept; beyond that one of them, at random, is
/// dropped for each row added.
public final class CachedOnlineStore: OnlineStore {
    let store: any OnlineStore
    let capacity: Int
    let maxAge: Duration

    private struct Entry {
        /// nil: the store has no row for this key.
        var row: OnlineRow?
        var readAt: ContinuousClock.Instant
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Counts writes, so a read that raced a write does not put the row it read before the
        /// write into the cache.
        var writes: UInt64 = 0
    }

    private let state = Mutex(State())

    public init(_ store: any OnlineStore, capacity: Int = 50_000, maxAge: Duration = .seconds(1)) {
        self.store = store
        self.capacity = max(capacity, 1)
        self.maxAge = maxAge
    }

    public func write(project: String, view: String, rows: [OnlineRow]) async throws -> Int {
        defer {
            state.withLock { state in
                state.writes &+= 1
                for row in rows { state.entries[Self.key(project, view, row.key)] = nil }
            }
        }
        return try await store.write(project: project, view: view, rows: rows)
    }

    public func read(project: String, view: String, keys: [String]) async throws -> [String: OnlineRow] {
        let now = ContinuousClock.now
        var found: [String: OnlineRow] = [:]
        var missing: [String] = []
        let writesBefore = state.withLock { state in
            for key in keys {
                if let entry = state.entries[Self.key(project, view, key)], now - entry.readAt < maxAge {
                    if let row = entry.row { found[key] = row }
                } else {
                    missing.append(key)
                }
            }
            return state.writes
        }
        guard !missing.isEmpty else { return found }
        let read = try await store.read(project: project, view: view, keys: missing)
        state.withLock { state in
            guard state.writes == writesBefore else { return }
            for key in missing {
                // The first in the table's order: a key at random, as the table's hashing is seeded per process.
                if state.entries.count >= capacity { state.entries.remove(at: state.entries.startIndex) }
                state.entries[Self.key(project, view, key)] = Entry(row: read[key], readAt: now)
            }
        }
        found.merge(read) { _, stored in stored }
        return found
    }

    /// How many rows (and absences) are cached now.
    var cachedCount: Int { state.withLock { $0.entries.count } }

    private static func key(_ project: String, _ view: String, _ entity: String) -> String {
        "\(project)\u{1F}\(view)\u{1F}\(entity)"
    }
}
