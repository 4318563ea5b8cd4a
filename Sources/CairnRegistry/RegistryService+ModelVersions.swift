import CairnCore
import CairnStorage
import CairnTracking
import SQLKit

/// The fields of `model-versions/create`.
public struct CreateModelVersionRequest: Sendable {
    public var name: String
    public var source: String
    public var runID: String?
    public var runLink: String?
    public var description: String?
    public var loggedModelID: String?
    public var tags: [KeyValue]

    public init(name: String, source: String, runID: String?, runLink: String?, description: String?, loggedModelID: String?, tags: [KeyValue]) {
        self.name = name
        self.source = source
        self.runID = runID
        self.runLink = runLink
        self.description = description
        self.loggedModelID = loggedModelID
        self.tags = tags
    }
}

extension RegistryService {
    /// Registers a new version and freezes its files: the manifest (path → SHA-256) of its source is
    /// copied below the snapshot root in the same transaction, so later writes to the run's
    /// artifacts cannot change what the version serves.
    public func createModelVersion(_ request: CreateModelVersionRequest, user: String) async throws -> ModelVersion {
        try RegistryValidation.validateModelName(request.name)
        for tag in request.tags { try RegistryValidation.validateTag(tag) }
        _ = try await getRegisteredModel(name: request.name)  // MLflow reports a missing model before a bad source
        let source = try await resolveSource(request.source, runID: request.runID,
                                             loggedModelID: request.loggedModelID.flatMap { $0.isEmpty ? nil : $0 })
        let now = Clock.nowMillis()
        return try await database.write { db in
            let modelID = try await Self.lockModel(request.name, now: now, on: db)
            let number = try await ModelVersionStore.nextVersion(modelID: modelID, on: db)
            var files: [StoredArtifact] = []
            var storageLocation: String?
            if let path = source.artifactPath {
                let snapshot = Self.snapshotPath(modelID: modelID, version: number)
                files = try await ArtifactSnapshot.copy(from: path, to: snapshot, now: now, on: db)
                storageLocation = "mlflow-artifacts:/" + snapshot.value
            }
            let version = ModelVersion(
                modelID: modelID, name: request.name, version: number, creationTimestamp: now, lastUpdatedTimestamp: now,
                userID: user, stage: .none, description: request.description, source: request.source, runID: source.runID,
                runLink: request.runLink, loggedModelID: source.loggedModelID, storageLocation: storageLocation,
                tags: request.tags, aliases: [])
            try await ModelVersionStore.insert(version, on: db)
            try await record("model_version.created", name: request.name, version: number, payload: VersionCreated(
                name: request.name, version: number, source: request.source, run_id: source.runID,
                storage_location: storageLocation, files: files.count, bytes: files.reduce(0) { $0 + $1.size }), actor: user, on: db)
            return try await Self.requireVersion(modelID: modelID, name: request.name, version: number, on: db)
        }
    }

    public func getModelVersion(name: String, version: Int64) async throws -> ModelVersion {
        try await database.read { db in
            let model = try await Self.requireModel(name, on: db)
            return try await Self.requireVersion(modelID: model.id, name: name, version: version, on: db)
        }
    }

    public func updateModelVersion(name: String, version: Int64, description: String?) async throws -> ModelVersion {
        try await database.write { db in
            let now = Clock.nowMillis()
            let modelID = try await Self.lockModel(name, now: now, on: db)
            _ = try await Self.requireVersion(modelID: modelID, name: name, version: version, on: db)
            try await ModelVersionStore.updateDescription(modelID: modelID, version: version, description, now: now, on: db)
            return try await Self.requireVersion(modelID: modelID, name: name, version: version, on: db)
        }
    }

    /// Deletes a version: its number is never reused, its aliases go, and its snapshot is dropped.
    public func deleteModelVersion(name: String, version: Int64, user: String) async throws {
        try await database.write { db in
            let now = Clock.nowMillis()
            let modelID = try await Self.lockModel(name, now: now, on: db)
            let existing = try await Self.requireVersion(modelID: modelID, name: name, version: version, on: db)
            try await ModelVersionStore.delete(modelID: modelID, version: version, now: now, on: db)
            try await ArtifactSnapshot.delete(Self.snapshotPath(modelID: modelID, version: version), on: db)
            try await record("model_version.deleted", name: name, version: version,
                             payload: VersionDeleted(name: name, version: version, stage: existing.stage.rawValue), actor: user, on: db)
        }
    }

    public func setModelVersionTag(name: String, version: Int64, tag: KeyValue) async throws {
        try RegistryValidation.validateTag(tag)
        try await database.write { db in
            let modelID = try await Self.lockModel(name, now: Clock.nowMillis(), on: db)
            _ = try await Self.requireVersion(modelID: modelID, name: name, version: version, on: db)
            try await ModelVersionStore.setTags([tag], modelID: modelID, version: version, on: db)
        }
    }

    public func deleteModelVersionTag(name: String, version: Int64, key: String) async throws {
        try await database.write { db in
            let modelID = try await Self.lockModel(name, now: Clock.nowMillis(), on: db)
            _ = try await Self.requireVersion(modelID: modelID, name: name, version: version, on: db)
            // Like MLflow, deleting a tag that is not set is not an error.
            _ = try await ModelVersionStore.deleteTag(key, modelID: modelID, version: version, on: db)
        }
    }

    /// Where the client downloads the version from: its frozen snapshot, or an external source as given.
    public func downloadURI(name: String, version: Int64) async throws -> String {
        let found = try await getModelVersion(name: name, version: version)
        return found.storageLocation ?? found.source
    }

    /// The version's frozen files with their hashes; empty for an external source.
    public func manifest(name: String, version: Int64) async throws -> (version: ModelVersion, files: [ManifestEntry]) {
        try await database.read { db in
            let model = try await Self.requireModel(name, on: db)
            let found = try await Self.requireVersion(modelID: model.id, name: name, version: version, on: db)
            guard found.storageLocation != nil else { return (found, []) }
            let files = try await ArtifactSnapshot.files(at: Self.snapshotPath(modelID: model.id, version: version), on: db)
            return (found, files.map { ManifestEntry(path: $0.path.value, sha256: $0.sha256, size: $0.size) })
        }
    }

    public func searchModelVersions(filter: String?, orderBy: [String], maxResults: Int64?, pageToken: String?) async throws -> Page<ModelVersion> {
        let limit = Int(maxResults ?? 10_000)
        guard limit >= 1, limit <= 200_000 else {
            throw CairnError.invalidParameter("Invalid value for max_results. It must be at most 200000, but got value \(limit)")
        }
        let offset = try PageToken.offset(from: pageToken)
        let query = try ModelVersionSearchQuery.sql(
            filter: try FilterParser.parse(filter, rules: .modelVersions),
            orderBy: try OrderByParser.parse(orderBy, rules: .modelVersions), limit: limit, offset: offset)
        let versions = try await database.read { db in
            try await ModelVersionStore.load(try await db.raw(query).all(), on: db)
        }
        return Page(fetched: versions, offset: offset, limit: limit)
    }

    static func snapshotPath(modelID: String, version: Int64) -> ArtifactPath {
        snapshotRoot(modelID: modelID).appending(try! ArtifactPath(validating: "versions/\(version)"))
    }

    struct VersionCreated: Encodable {
        let name: String
        let version: Int64
        let source: String
        let run_id: String?
        let storage_location: String?
        let files: Int
        let bytes: Int64
    }

    struct VersionDeleted: Encodable {
        let name: String
        let version: Int64
        let stage: String
    }
}
