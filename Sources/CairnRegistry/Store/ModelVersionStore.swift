import CairnTracking
import SQLKit

/// SQL for model versions and their tags. Versions are read joined with their model's name.
enum ModelVersionStore {
    static let columns = """
        v.model_id, r.name, v.version, v.creation_timestamp, v.last_updated_timestamp, v.user_id, v.current_stage, \
        v.description, v.source, v.run_id, v.run_link, v.logged_model_id, v.storage_location
        """
    static let from = "model_versions v JOIN registered_models r ON r.id = v.model_id"
    static let visible = "v.current_stage <> 'Deleted_Internal'"

    static func insert(_ version: ModelVersion, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO model_versions (model_id, version, creation_timestamp, last_updated_timestamp, user_id, current_stage,
                description, source, run_id, run_link, logged_model_id, storage_location)
            VALUES (\(bind: version.modelID), \(bind: version.version), \(bind: version.creationTimestamp),
                \(bind: version.lastUpdatedTimestamp), \(bind: version.userID), \(bind: version.stage.rawValue),
                \(bind: version.description), \(bind: version.source), \(bind: version.runID), \(bind: version.runLink),
                \(bind: version.loggedModelID), \(bind: version.storageLocation))
            """).run()
        try await setTags(version.tags, modelID: version.modelID, version: version.version, on: db)
    }

    /// The next version number: one past every number ever used, deleted versions included.
    static func nextVersion(modelID: String, on db: any SQLDatabase) async throws -> Int64 {
        let row = try await db.raw("SELECT MAX(version) AS max_version FROM model_versions WHERE model_id = \(bind: modelID)").first()
        return (try row?.decode(column: "max_version", as: Int64?.self) ?? 0) + 1
    }

    static func get(modelID: String, version: Int64, on db: any SQLDatabase) async throws -> ModelVersion? {
        let rows = try await db.raw("""
            SELECT \(unsafeRaw: columns) FROM \(unsafeRaw: from)
            WHERE v.model_id = \(bind: modelID) AND v.version = \(bind: version) AND \(unsafeRaw: visible)
            """).all()
        return try await load(rows, on: db).first
    }

    /// Versions of a model in `stage`, newest first.
    static func inStage(_ stage: ModelStage, modelID: String, on db: any SQLDatabase) async throws -> [ModelVersion] {
        try await load(try await db.raw("""
            SELECT \(unsafeRaw: columns) FROM \(unsafeRaw: from)
            WHERE v.model_id = \(bind: modelID) AND v.current_stage = \(bind: stage.rawValue) ORDER BY v.version DESC
            """).all(), on: db)
    }

    /// The highest visible version of each stage, for each model (MLflow's `latest_versions`).
    static func latestPerStage(modelIDs: [String], on db: any SQLDatabase) async throws -> [String: [ModelVersion]] {
        let rows = try await db.raw("""
            SELECT \(unsafeRaw: columns) FROM \(unsafeRaw: from)
            WHERE v.model_id IN (\(binds: modelIDs)) AND \(unsafeRaw: visible)
              AND v.version = (SELECT MAX(w.version) FROM model_versions w
                               WHERE w.model_id = v.model_id AND w.current_stage = v.current_stage)
            ORDER BY v.version
            """).all()
        var result: [String: [ModelVersion]] = [:]
        for version in try await load(rows, on: db) {
            result[version.modelID, default: []].append(version)
        }
        return result
    }

    /// Decodes version rows and attaches tags and aliases with one query each.
    static func load(_ rows: [any SQLRow], on db: any SQLDatabase) async throws -> [ModelVersion] {
        var versions = try rows.map(decode)
        guard !versions.isEmpty else { return [] }
        let modelIDs = Array(Set(versions.map(\.modelID)))
        var tags: [VersionKey: [KeyValue]] = [:]
        for row in try await db.raw("""
            SELECT model_id, version, key, value FROM model_version_tags WHERE model_id IN (\(binds: modelIDs)) ORDER BY key
            """).all() {
            tags[try VersionKey(row), default: []].append(try RegistryKeyValues.decode(row))
        }
        var aliases: [VersionKey: [String]] = [:]
        for row in try await db.raw("""
            SELECT model_id, version, alias FROM registered_model_aliases WHERE model_id IN (\(binds: modelIDs)) ORDER BY alias
            """).all() {
            aliases[try VersionKey(row), default: []].append(try row.decode(column: "alias", as: String.self))
        }
        for index in versions.indices {
            let key = VersionKey(modelID: versions[index].modelID, version: versions[index].version)
            versions[index].tags = tags[key] ?? []
            versions[index].aliases = aliases[key] ?? []
        }
        return versions
    }

    static func decode(_ row: any SQLRow) throws -> ModelVersion {
        ModelVersion(
            modelID: try row.decode(column: "model_id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            version: try row.decode(column: "version", as: Int64.self),
            creationTimestamp: try row.decode(column: "creation_timestamp", as: Int64.self),
            lastUpdatedTimestamp: try row.decode(column: "last_updated_timestamp", as: Int64.self),
            userID: try row.decode(column: "user_id", as: String.self),
            stage: ModelStage(rawValue: try row.decode(column: "current_stage", as: String.self)) ?? .none,
            description: try row.decode(column: "description", as: String?.self),
            source: try row.decode(column: "source", as: String.self),
            runID: try row.decode(column: "run_id", as: String?.self),
            runLink: try row.decode(column: "run_link", as: String?.self),
            loggedModelID: try row.decode(column: "logged_model_id", as: String?.self),
            storageLocation: try row.decode(column: "storage_location", as: String?.self),
            tags: [], aliases: [])
    }

    static func updateDescription(modelID: String, version: Int64, _ description: String?, now: Int64, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE model_versions SET description = \(bind: description), last_updated_timestamp = \(bind: now)
            WHERE model_id = \(bind: modelID) AND version = \(bind: version)
            """).run()
    }

    static func setStage(_ stage: ModelStage, modelID: String, version: Int64, now: Int64, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE model_versions SET current_stage = \(bind: stage.rawValue), last_updated_timestamp = \(bind: now)
            WHERE model_id = \(bind: modelID) AND version = \(bind: version)
            """).run()
    }

    /// Marks the version deleted (its number stays taken) and drops its tags and aliases.
    static func delete(modelID: String, version: Int64, now: Int64, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM model_version_tags WHERE model_id = \(bind: modelID) AND version = \(bind: version)").run()
        try await db.raw("DELETE FROM registered_model_aliases WHERE model_id = \(bind: modelID) AND version = \(bind: version)").run()
        try await db.raw("""
            UPDATE model_versions SET current_stage = 'Deleted_Internal', description = NULL, storage_location = NULL,
                last_updated_timestamp = \(bind: now)
            WHERE model_id = \(bind: modelID) AND version = \(bind: version)
            """).run()
    }

    static func setTags(_ tags: [KeyValue], modelID: String, version: Int64, on db: any SQLDatabase) async throws {
        try await RegistryKeyValues.upsert(table: "model_version_tags", owner: ["model_id": modelID, "version": version], tags, on: db)
    }

    static func deleteTag(_ key: String, modelID: String, version: Int64, on db: any SQLDatabase) async throws -> Bool {
        !(try await db.raw("""
            DELETE FROM model_version_tags WHERE model_id = \(bind: modelID) AND version = \(bind: version) AND key = \(bind: key) RETURNING key
            """).all()).isEmpty
    }
}

/// A (model id, version number) pair, for grouping rows.
struct VersionKey: Hashable {
    var modelID: String
    var version: Int64

    init(modelID: String, version: Int64) {
        self.modelID = modelID
        self.version = version
    }

    init(_ row: any SQLRow) throws {
        modelID = try row.decode(column: "model_id", as: String.self)
        version = try row.decode(column: "version", as: Int64.self)
    }
}
