import CairnCore
import CairnStorage
import Foundation
import SQLKit

/// Experiment tracking's rules and transactions: the one entry point for routes and other modules.
/// Every write runs in one transaction, so a refused request changes nothing.
public final class TrackingService: Sendable {
    let database: Database
    public let artifacts: any ArtifactStore

    /// Artifact URIs are always served through this server's proxy (`mlflow-artifacts:`).
    static let artifactRoot = "mlflow-artifacts:/"
    static let defaultExperimentID = "0"
    /// Advisory-lock key serialising experiment id allocation on PostgreSQL.
    static let experimentIDLock: Int64 = 0x4341_4952_4E01

    public init(database: Database, artifacts: any ArtifactStore) {
        self.database = database
        self.artifacts = artifacts
    }

    /// Creates the `Default` experiment (id 0) the MLflow client falls back to, if it is missing.
    public func bootstrap() async throws {
        let now = Clock.nowMillis()
        try await database.write { db in
            try await db.raw("""
                INSERT INTO experiments (\(unsafeRaw: ExperimentStore.columns))
                VALUES (0, 'Default', \(bind: Self.artifactRoot + Self.defaultExperimentID), 'active', \(bind: now), \(bind: now))
                ON CONFLICT (experiment_id) DO NOTHING
                """).run()
        }
    }

    /// The artifact-store path (below the proxy root) that an `mlflow-artifacts:/…` URI names.
    public static func proxiedPath(ofArtifactURI uri: String) -> ArtifactPath? {
        guard uri.hasPrefix("mlflow-artifacts:") else { return nil }
        var rest = uri.dropFirst("mlflow-artifacts:".count)
        if rest.hasPrefix("//") {  // mlflow-artifacts://host:port/path
            rest = rest.dropFirst(2)
            guard let slash = rest.firstIndex(of: "/") else { return .root }
            rest = rest[slash...]
        }
        return try? ArtifactPath(validating: String(rest.drop { $0 == "/" }))
    }
}
