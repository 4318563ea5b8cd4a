import CairnCore
import SQLKit

/// SQL for experiments and their tags. Callers supply the connection (and so the transaction).
enum ExperimentStore {
    static let columns = "experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time"

    static func insert(_ experiment: Experiment, on db: any SQLDatabase) async throws {
        guard let id = Int64(experiment.experimentID) else { throw CairnError.internalError("Non-numeric experiment id") }
        try await db.raw("""
            INSERT INTO experiments (\(unsafeRaw: columns))
            VALUES (\(bind: id), \(bind: experiment.name), \(bind: experiment.artifactLocation),
                    \(bind: experiment.lifecycleStage.rawValue), \(bind: experiment.creationTime), \(bind: experiment.lastUpdateTime))
            """).run()
        try await setTags(experiment.tags, experimentID: id, on: db)
    }

    static func nextID(on db: any SQLDatabase) async throws -> Int64 {
        let row = try await db.raw("SELECT MAX(experiment_id) AS max_id FROM experiments").first()
        return (try row?.decode(column: "max_id", as: Int64?.self) ?? 0) + 1
    }

    static func get(id: String, on db: any SQLDatabase) async throws -> Experiment? {
        guard let numeric = Int64(id) else { return nil }
        let rows = try await db.raw("SELECT \(unsafeRaw: columns) FROM experiments WHERE experiment_id = \(bind: numeric)").all()
        return try await withTags(rows, on: db).first
    }

    static func get(name: String, on db: any SQLDatabase) async throws -> Experiment? {
        let rows = try await db.raw("SELECT \(unsafeRaw: columns) FROM experiments WHERE name = \(bind: name)").all()
        return try await withTags(rows, on: db).first
    }

    /// Decodes experiment rows and attaches their tags with one extra query.
    static func withTags(_ rows: [any SQLRow], on db: any SQLDatabase) async throws -> [Experiment] {
        var experiments = try rows.map(decode)
        guard !experiments.isEmpty else { return [] }
        let ids = experiments.compactMap { Int64($0.experimentID) }
        let tagRows = try await db.raw("""
            SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN (\(binds: ids)) ORDER BY key
            """).all()
        var tags: [String: [KeyValue]] = [:]
        for row in tagRows {
            let id = String(try row.decode(column: "experiment_id", as: Int64.self))
            tags[id, default: []].append(KeyValue(
                key: try row.decode(column: "key", as: String.self), value: try row.decode(column: "value", as: String.self)))
        }
        for index in experiments.indices {
            experiments[index].tags = tags[experiments[index].experimentID] ?? []
        }
        return experiments
    }

    static func decode(_ row: any SQLRow) throws -> Experiment {
        Experiment(
            experimentID: String(try row.decode(column: "experiment_id", as: Int64.self)),
            name: try row.decode(column: "name", as: String.self),
            artifactLocation: try row.decode(column: "artifact_location", as: String.self),
            lifecycleStage: LifecycleStage(rawValue: try row.decode(column: "lifecycle_stage", as: String.self)) ?? .active,
            creationTime: try row.decode(column: "creation_time", as: Int64.self),
            lastUpdateTime: try row.decode(column: "last_update_time", as: Int64.self),
            tags: [])
    }

    static func setTags(_ tags: [KeyValue], experimentID: Int64, on db: any SQLDatabase) async throws {
        for tag in tags {
            try await db.raw("""
                INSERT INTO experiment_tags (experiment_id, key, value) VALUES (\(bind: experimentID), \(bind: tag.key), \(bind: tag.value))
                ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value
                """).run()
        }
    }

    static func deleteTag(key: String, experimentID: Int64, on db: any SQLDatabase) async throws -> Bool {
        let deleted = try await db.raw("""
            DELETE FROM experiment_tags WHERE experiment_id = \(bind: experimentID) AND key = \(bind: key) RETURNING key
            """).all()
        return !deleted.isEmpty
    }

    static func update(id: Int64, name: String? = nil, lifecycleStage: LifecycleStage? = nil, now: Int64, on db: any SQLDatabase) async throws {
        if let name {
            try await db.raw("UPDATE experiments SET name = \(bind: name), last_update_time = \(bind: now) WHERE experiment_id = \(bind: id)").run()
        }
        if let lifecycleStage {
            try await db.raw("""
                UPDATE experiments SET lifecycle_stage = \(bind: lifecycleStage.rawValue), last_update_time = \(bind: now)
                WHERE experiment_id = \(bind: id)
                """).run()
        }
    }
}
