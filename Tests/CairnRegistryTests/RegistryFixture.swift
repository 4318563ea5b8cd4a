import CairnCore
import CairnStorage
import CairnTestSupport
import CairnTracking
@testable import CairnRegistry

/// A registry over a fresh database and artifact store, with helpers to make runs with files.
struct RegistryFixture {
    let database: Database
    let tracking: TrackingService
    let registry: RegistryService

    static func with(_ engine: DatabaseEngine, _ body: (RegistryFixture) async throws -> Void) async throws {
        let migrations = StorageSchema.migrations + TrackingSchema.migrations + RegistrySchema.migrations
        try await TestDatabases.with(engine, migrations: migrations) { database in
            let artifacts = try LocalArtifactStore(root: TestDatabases.temporaryDirectory(), database: database)
            let tracking = TrackingService(database: database, artifacts: artifacts)
            try await tracking.bootstrap()
            try await body(RegistryFixture(database: database, tracking: tracking, registry: RegistryService(database: database, tracking: tracking)))
        }
    }

    /// A run with `model/<name>` files and the given metrics; returns its id.
    func run(files: [String: String], metrics: [String: Double] = [:]) async throws -> String {
        let run = try await tracking.createRun(CreateRunRequest(experimentID: "0", userID: "u", runName: nil, startTime: nil, tags: []))
        for (key, value) in metrics {
            try await tracking.logMetric(runID: run.info.runID, metric: Metric(key: key, value: value, timestamp: 1, step: 0))
        }
        for (name, text) in files { try await put(runID: run.info.runID, "model/\(name)", text) }
        return run.info.runID
    }

    func put(runID: String, _ relative: String, _ text: String) async throws {
        _ = try await tracking.artifacts.put(try ArtifactPath(validating: "0/\(runID)/artifacts/\(relative)"), body: Chunks(text))
    }

    func register(_ name: String, runID: String) async throws -> ModelVersion {
        try await registry.createModelVersion(CreateModelVersionRequest(
            name: name, source: "runs:/\(runID)/model", runID: runID, runLink: nil, description: nil, loggedModelID: nil, tags: []), user: "u")
    }


    func events(subject: String) async throws -> [Event] {
        try await database.read { db in try await EventOutbox.list(after: 0, types: [], subject: subject, limit: 100, on: db) }
    }
}
