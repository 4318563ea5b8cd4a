import Synchronization

/// A read-through cache of decoded online rows in front of another online store, so a lookup of
/// an entity read recently costs no store round trip (a thread hop and a JSON parse per row on
/// SQLite, a network round trip on Redis).
///
/// Writes go to the store first, then drop the rows they touched from the cache: a value pushed
/// or materialized through this server is read back at once. A row (or its absence) read from
/// the store is kept at most `maxAge`, which bounds how long a write by another server sharing
/// the store stays unseen here. At most `capacity` rows are kept, in two generations: when the
/// newer one is full the older one is dropped whole and the newer one takes its place, so
/// making room costs nothing per row and the rows read lately stay.
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
        var newer: [String: Entry] = [:]
        var older: [String: Entry] = [:]
        /// Counts writes, so a read that raced a write does not put the row it read before the
        /// write into the cache.
        var writes: UInt64 = 0

        func entry(_ key: String) -> Entry? { newer[key] ?? older[key] }

        mutating func remove(_ key: String) {
            newer[key] = nil
            older[key] = nil
        }
    }

    private let state = Mutex(State())

    public init(_ store: any OnlineStore, capacity: Int = 50_000, maxAge: Duration = .seconds(1)) {
        self.store = store
        self.capacity = max(capacity, 2)
        self.maxAge = maxAge
    }

    public func write(project: String, view: String, rows: [OnlineRow]) async throws -> Int {
        defer {
            state.withLock { state in
                state.writes &+= 1
                for row in rows { state.remove(Self.key(project, view, row.key)) }
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
                if let entry = state.entry(Self.key(project, view, key)), now - entry.readAt < maxAge {
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
                let cacheKey = Self.key(project, view, key)
                state.older[cacheKey] = nil
                state.newer[cacheKey] = Entry(row: read[key], readAt: now)
                if state.newer.count >= capacity / 2 {
                    state.older = state.newer
                    state.newer = [:]
                }
            }
        }
        found.merge(read) { _, stored in stored }
        return found
    }

    /// How many rows (and absences) are cached now.
    var cachedCount: Int { state.withLock { $0.newer.count + $0.older.count } }

    private static func key(_ project: String, _ view: String, _ entity: String) -> String {
        "\(project)\u{1F}\(view)\u{1F}\(entity)"
    }
}
