import CairnCore
import CairnStorage
import CairnTracking
import Foundation
import SQLKit

/// The model registry's rules and transactions: the one entry point for the MLflow routes, the
/// native `/api/v1` routes and other modules. Every change runs in one transaction together with
/// the events it records, so a refused request changes nothing.
public final class RegistryService: Sendable {
    let database: Database
    let tracking: TrackingService

    public init(database: Database, tracking: TrackingService) {
        self.database = database
        self.tracking = tracking
    }

    /// The model named `name`, or MLflow's not-found error.
    static func requireModel(_ name: String, on db: any SQLDatabase) async throws -> RegisteredModel {
        guard let model = try await RegisteredModelStore.get(name: name, on: db) else { throw notFound(model: name) }
        return model
    }

    /// Locks the model named `name` for the rest of the transaction and returns its id.
    static func lockModel(_ name: String, now: Int64, on db: any SQLDatabase) async throws -> String {
        guard let id = try await RegisteredModelStore.lock(name: name, now: now, on: db) else { throw notFound(model: name) }
        return id
    }

    static func requireVersion(modelID: String, name: String, version: Int64, on db: any SQLDatabase) async throws -> ModelVersion {
        guard let found = try await ModelVersionStore.get(modelID: modelID, version: version, on: db) else {
            throw CairnError.notFound("Model Version (name=\(name), version=\(version)) not found")
        }
        return found
    }

    static func notFound(model name: String) -> CairnError {
        CairnError.notFound("Registered Model with name=\(name) not found")
    }

    /// Appends an event about a model version to the outbox inside the transaction `db`.
    func record(_ type: String, name: String, version: Int64, payload: some Encodable, actor: String, on db: any SQLDatabase) async throws {
        try await EventOutbox.append(type: type, subject: Self.subject(name: name, version: version), payload: payload,
                                     actor: actor, database: database, on: db)
    }

    static func subject(name: String, version: Int64) -> String {
        "models/\(name)/versions/\(version)"
    }

    static func newID() -> String {
        UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }
}
