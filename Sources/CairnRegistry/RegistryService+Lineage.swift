import CairnCore
import CairnTracking
import SQLKit

extension RegistryService {
    public func lineage(name: String, version: Int64) async throws -> ModelVersionLineage {
        let found = try await getModelVersion(name: name, version: version)
        let run = await found.runID.asyncFlatMap { try? await tracking.getRun(id: $0) }
        let tag = { (key: String) in run?.tags.last { $0.key == key }?.value }
        return ModelVersionLineage(
            version: found, run: run, datasets: run?.datasetInputs ?? [],
            gitCommit: tag(ModelVersionLineage.Tag.gitCommit), gitRepoURL: tag(ModelVersionLineage.Tag.gitRepoURL),
            sourceName: tag(ModelVersionLineage.Tag.sourceName), pipelineRunID: tag(ModelVersionLineage.Tag.pipelineRunID))
    }

    /// Versions (of any model) registered from one of these runs, by model name then version.
    public func versions(builtFromRuns runIDs: [String]) async throws -> [ModelVersion] {
        guard !runIDs.isEmpty else { return [] }
        return try await database.read { db in
            try await ModelVersionStore.load(try await db.raw("""
                SELECT \(unsafeRaw: ModelVersionStore.columns) FROM \(unsafeRaw: ModelVersionStore.from)
                WHERE v.run_id IN (\(binds: runIDs)) AND \(unsafeRaw: ModelVersionStore.visible)
                ORDER BY r.name, v.version
                """).all(), on: db)
        }
    }

    /// Versions whose source run read a dataset with this digest.
    public func versions(builtFromDatasetDigest digest: String) async throws -> [ModelVersion] {
        try await versions(builtFromRuns: try await tracking.runIDs(usingDatasetDigest: digest))
    }
}

extension Optional where Wrapped: Sendable {
    func asyncFlatMap<T>(_ transform: (Wrapped) async throws -> T?) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
