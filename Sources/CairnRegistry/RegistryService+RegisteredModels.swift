import CairnCore
import CairnStorage
import CairnTracking
import SQLKit

extension RegistryService {
    public func createRegisteredModel(name: String, description: String?, tags: [KeyValue], user: String) async throws -> RegisteredModel {
        try RegistryValidation.validateModelName(name)
        for tag in tags { try RegistryValidation.validateTag(tag) }
        let now = Clock.nowMillis()
        return try await database.write { db in
            if try await RegisteredModelStore.get(name: name, on: db) != nil {
                throw CairnError.alreadyExists("Registered Model (name=\(name)) already exists.")
            }
            let model = RegisteredModel(
                id: Self.newID(), name: name, creationTimestamp: now, lastUpdatedTimestamp: now, userID: user,
                description: description, tags: tags, aliases: [], latestVersions: [])
            try await RegisteredModelStore.insert(model, on: db)
            return try await Self.requireModel(name, on: db)
        }
    }

    public func getRegisteredModel(name: String) async throws -> RegisteredModel {
        try RegistryValidation.validateModelName(name)
        return try await database.read { db in try await Self.requireModel(name, on: db) }
    }

    public func renameRegisteredModel(name: String, newName: String) async throws -> RegisteredModel {
        try RegistryValidation.validateModelName(newName)
        return try await database.write { db in
            let id = try await Self.lockModel(name, now: Clock.nowMillis(), on: db)
            if newName != name, try await RegisteredModelStore.get(name: newName, on: db) != nil {
                throw CairnError.alreadyExists("Registered Model (name=\(newName)) already exists.")
            }
            try await RegisteredModelStore.rename(id: id, to: newName, on: db)
            return try await Self.requireModel(newName, on: db)
        }
    }

    public func updateRegisteredModel(name: String, description: String?) async throws -> RegisteredModel {
        try await database.write { db in
            let id = try await Self.lockModel(name, now: Clock.nowMillis(), on: db)
            try await RegisteredModelStore.updateDescription(id: id, description, on: db)
            return try await Self.requireModel(name, on: db)
        }
    }

    /// Deletes the model, its versions and their snapshots (blobs shared with runs stay).
    public func deleteRegisteredModel(name: String) async throws {
        try await database.write { db in
            let id = try await Self.lockModel(name, now: Clock.nowMillis(), on: db)
            try await ArtifactSnapshot.delete(Self.snapshotRoot(modelID: id), on: db)
            try await RegisteredModelStore.delete(id: id, on: db)
        }
    }

    public func setRegisteredModelTag(name: String, tag: KeyValue) async throws {
        try RegistryValidation.validateTag(tag)
        try await database.write { db in
            let id = try await Self.lockModel(name, now: Clock.nowMillis(), on: db)
            try await RegisteredModelStore.setTags([tag], modelID: id, on: db)
        }
    }

    public func deleteRegisteredModelTag(name: String, key: String) async throws {
        try await database.write { db in
            let id = try await Self.lockModel(name, now: Clock.nowMillis(), on: db)
            // Like MLflow, deleting a tag that is not set is not an error.
            _ = try await RegisteredModelStore.deleteTag(key, modelID: id, on: db)
        }
    }

    public func searchRegisteredModels(filter: String?, orderBy: [String], maxResults: Int64?, pageToken: String?) async throws -> Page<RegisteredModel> {
        let limit = Int(maxResults ?? 100)
        guard limit >= 1, limit <= 1000 else {
            throw CairnError.invalidParameter("Invalid value for max_results. It must be at most 1000, but got value \(limit)")
        }
        let offset = try PageToken.offset(from: pageToken)
        let query = try RegisteredModelSearchQuery.sql(
            filter: try FilterParser.parse(filter, rules: .registeredModels),
            orderBy: try OrderByParser.parse(orderBy, rules: .registeredModels), limit: limit, offset: offset)
        let models = try await database.read { db in
            try await RegisteredModelStore.load(try await db.raw(query).all(), on: db)
        }
        return Page(fetched: models, offset: offset, limit: limit)
    }

    /// The folder below the artifact store's snapshot root that holds a model's version snapshots.
    static func snapshotRoot(modelID: String) -> ArtifactPath {
        ArtifactSnapshot.root.appending(try! ArtifactPath(validating: "models/\(modelID)"))
    }
}
