import CairnTracking
import SQLKit

/// The tag tables of models and versions: upserts and batched loads.
enum RegistryKeyValues {
    /// Sets each key (the last value wins within one call) on the row identified by `owner`.
    static func upsert(table: String, owner: KeyValuePairs<String, any Encodable & Sendable>, _ pairs: [KeyValue],
                       on db: any SQLDatabase) async throws {
        var latest: [String: String] = [:]
        for pair in pairs { latest[pair.key] = pair.value }
        guard !latest.isEmpty else { return }
        let ownerColumns = owner.map(\.key)
        var insert = db.insert(into: table).columns(ownerColumns + ["key", "value"])
        for (key, value) in latest.sorted(by: { $0.key < $1.key }) {
            insert = insert.values(owner.map(\.value) + [key, value])
        }
        try await insert.onConflict(with: ownerColumns + ["key"]) { $0.set(excludedValueOf: "value") }.run()
    }

    /// Tags of registered models, by model id.
    static func load(table: String, ids: [String], on db: any SQLDatabase) async throws -> [String: [KeyValue]] {
        var result: [String: [KeyValue]] = [:]
        for row in try await db.raw("SELECT model_id, key, value FROM \(ident: table) WHERE model_id IN (\(binds: ids)) ORDER BY key").all() {
            result[try row.decode(column: "model_id", as: String.self), default: []].append(try decode(row))
        }
        return result
    }

    static func decode(_ row: any SQLRow) throws -> KeyValue {
        KeyValue(key: try row.decode(column: "key", as: String.self), value: try row.decode(column: "value", as: String.self))
    }
}
