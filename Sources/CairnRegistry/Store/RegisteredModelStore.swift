import CairnTracking
import SQLKit

/// SQL for registered models, their tags and aliases.
enum RegisteredModelStore {
    static let columns = "id, name, creation_timestamp, last_updated_timestamp, user_id, description"

    static func insert(_ model: RegisteredModel, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO registered_models (\(unsafeRaw: columns))
            VALUES (\(bind: model.id), \(bind: model.name), \(bind: model.creationTimestamp), \(bind: model.lastUpdatedTimestamp),
                    \(bind: model.userID), \(bind: model.description))
            """).run()
        try await setTags(model.tags, modelID: model.id, on: db)
    }

    /// The model named `name` with its tags, aliases and latest versions.
    static func get(name: String, on db: any SQLDatabase) async throws -> RegisteredModel? {
        let rows = try await db.raw("SELECT \(unsafeRaw: columns) FROM registered_models WHERE name = \(bind: name)").all()
        return try await load(rows, on: db).first
    }

    /// Takes the model's row lock for the rest of the transaction (PostgreSQL; SQLite has one
    /// writer), so promotions and version numbering of one model never interleave, and stamps
    /// the model as updated. Returns nil when no such model exists.
    static func lock(name: String, now: Int64, on db: any SQLDatabase) async throws -> String? {
        try await db.raw("""
            UPDATE registered_models SET last_updated_timestamp = \(bind: now) WHERE name = \(bind: name) RETURNING id
            """).first().map { try $0.decode(column: "id", as: String.self) }
    }

    static func load(_ rows: [any SQLRow], on db: any SQLDatabase) async throws -> [RegisteredModel] {
        var models = try rows.map(decode)
        guard !models.isEmpty else { return [] }
        let ids = models.map(\.id)
        let tags = try await RegistryKeyValues.load(table: "registered_model_tags", ids: ids, on: db)
        var aliases: [String: [ModelAlias]] = [:]
        for row in try await db.raw("""
            SELECT model_id, alias, version FROM registered_model_aliases WHERE model_id IN (\(binds: ids)) ORDER BY alias
            """).all() {
            aliases[try row.decode(column: "model_id", as: String.self), default: []].append(ModelAlias(
                alias: try row.decode(column: "alias", as: String.self), version: try row.decode(column: "version", as: Int64.self)))
        }
        let latest = try await ModelVersionStore.latestPerStage(modelIDs: ids, on: db)
        for index in models.indices {
            let id = models[index].id
            models[index].tags = tags[id] ?? []
            models[index].aliases = aliases[id] ?? []
            models[index].latestVersions = latest[id] ?? []
        }
        return models
    }

    static func decode(_ row: any SQLRow) throws -> RegisteredModel {
        RegisteredModel(
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            creationTimestamp: try row.decode(column: "creation_timestamp", as: Int64.self),
            lastUpdatedTimestamp: try row.decode(column: "last_updated_timestamp", as: Int64.self),
            userID: try row.decode(column: "user_id", as: String.self),
            description: try row.decode(column: "description", as: String?.self),
            tags: [], aliases: [], latestVersions: [])
    }

    static func rename(id: String, to newName: String, on db: any SQLDatabase) async throws {
        try await db.raw("UPDATE registered_models SET name = \(bind: newName) WHERE id = \(bind: id)").run()
    }

    static func updateDescription(id: String, _ description: String?, on db: any SQLDatabase) async throws {
        try await db.raw("UPDATE registered_models SET description = \(bind: description) WHERE id = \(bind: id)").run()
    }

    /// Removes the model and everything that belongs to it.
    static func delete(id: String, on db: any SQLDatabase) async throws {
        try await db.raw("""
            DELETE FROM transition_request_reviews WHERE request_id IN (SELECT id FROM transition_requests WHERE model_id = \(bind: id))
            """).run()
        for table in ["transition_requests", "promotion_policies", "model_version_tags", "model_versions",
                      "registered_model_aliases", "registered_model_tags"] {
            try await db.raw("DELETE FROM \(ident: table) WHERE model_id = \(bind: id)").run()
        }
        try await db.raw("DELETE FROM registered_models WHERE id = \(bind: id)").run()
    }

    static func setTags(_ tags: [KeyValue], modelID: String, on db: any SQLDatabase) async throws {
        try await RegistryKeyValues.upsert(table: "registered_model_tags", owner: ["model_id": modelID], tags, on: db)
    }

    static func deleteTag(_ key: String, modelID: String, on db: any SQLDatabase) async throws -> Bool {
        !(try await db.raw("""
            DELETE FROM registered_model_tags WHERE model_id = \(bind: modelID) AND key = \(bind: key) RETURNING key
            """).all()).isEmpty
    }

    /// The version the alias points at, if set.
    static func aliasVersion(_ alias: String, modelID: String, on db: any SQLDatabase) async throws -> Int64? {
        try await db.raw("""
            SELECT version FROM registered_model_aliases WHERE model_id = \(bind: modelID) AND alias = \(bind: alias)
            """).first().map { try $0.decode(column: "version", as: Int64.self) }
    }

    static func setAlias(_ alias: String, version: Int64, modelID: String, on db: any SQLDatabase) async throws {
        try await db.insert(into: "registered_model_aliases").columns("model_id", "alias", "version")
            .values([modelID, alias, version] as [any Encodable & Sendable])
            .onConflict(with: ["model_id", "alias"]) { $0.set(excludedValueOf: "version") }
            .run()
    }

    static func deleteAlias(_ alias: String, modelID: String, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM registered_model_aliases WHERE model_id = \(bind: modelID) AND alias = \(bind: alias)").run()
    }
}
