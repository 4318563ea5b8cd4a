import CairnCore
import CairnMonitoring

/// Reference datasets and drift: a model version's training sample, compared with what a
/// deployment of it has been asked.
extension DeploymentService {
    /// Requests compared at most, newest first.
    static let driftRequestLimit = 100_000

    /// Attaches `dataset` as the reference of a registered model version (replacing any earlier one).
    public func attachReference(_ dataset: ReferenceDataset, model: String, version: Int64) async throws {
        _ = try await registry.getModelVersion(name: model, version: version)
        let database = self.database
        try await database.write { db in try await ReferenceStore.save(dataset, model: model, version: version, at: Clock.nowMillis(), on: db) }
    }

    /// Drift of `revision` (the one with the most traffic by default) since `since` (milliseconds;
    /// the last hour by default) against its model version's reference dataset.
    public func drift(name: String, revision number: Int?, since: Int64?, histograms: Bool = false) async throws -> (revision: Deployment.Revision, report: DriftReport) {
        let deployment = try await deployment(name: name)
        guard let revision = number.map({ deployment.revision($0) }) ?? deployment.revisions.max(by: { $0.percent < $1.percent }) else {
            throw CairnError.notFound("Deployment '\(name)' has no revision \(number ?? 0).")
        }
        let database = self.database
        guard let reference = try await database.read({ db in
            try await ReferenceStore.dataset(model: revision.modelName, version: revision.modelVersion, on: db)
        }) else {
            throw CairnError.notFound("Model '\(revision.modelName)' version \(revision.modelVersion) has no reference dataset; attach one with "
                                      + "POST /api/v1/models/\(revision.modelName)/versions/\(revision.modelVersion)/reference.")
        }
        let window = since ?? Clock.nowMillis() - 3_600_000
        let bodies = try await database.read { db in
            try await PredictionLogStore.answeredBodies(deployment: name, revision: revision.number, since: window, limit: Self.driftRequestLimit, on: db)
        }
        let requests = bodies.compactMap { LoggedRequest(inputs: $0.inputs, outputs: $0.outputs) }
        return (revision, try DriftReport(reference: reference, requests: requests, histograms: histograms))
    }
}
