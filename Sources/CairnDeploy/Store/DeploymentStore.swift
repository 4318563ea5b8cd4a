import CairnCore
import CairnMonitoring
import Foundation
import SQLKit

/// SQL for deployments and their revisions.
enum DeploymentStore {
    static func insert(_ deployment: Deployment, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO deployments (name, spec_json, progress_json, created_at, updated_at)
            VALUES (\(bind: deployment.name), \(bind: try json(deployment.spec)), \(bind: try json(deployment.progress)), \(bind: deployment.createdAt),
                    \(bind: deployment.updatedAt))
            """).run()
        for revision in deployment.revisions { try await insert(revision, deployment: deployment.name, on: db) }
    }

    static func insert(_ revision: Deployment.Revision, deployment: String, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO deployment_revisions (deployment_name, number, model_name, model_version, percent, created_at)
            VALUES (\(bind: deployment), \(bind: revision.number), \(bind: revision.modelName), \(bind: revision.modelVersion),
                    \(bind: revision.percent), \(bind: revision.createdAt))
            """).run()
    }

    /// Saves a deployment's spec, progress and every revision's share (the revisions themselves never change).
    static func update(_ deployment: Deployment, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE deployments SET spec_json = \(bind: try json(deployment.spec)), progress_json = \(bind: try json(deployment.progress)),
                   updated_at = \(bind: deployment.updatedAt)
            WHERE name = \(bind: deployment.name)
            """).run()
        for revision in deployment.revisions {
            try await db.raw("""
                UPDATE deployment_revisions SET percent = \(bind: revision.percent)
                WHERE deployment_name = \(bind: deployment.name) AND number = \(bind: revision.number)
                """).run()
        }
    }

    /// Deletes the deployment with its revisions, outcomes and logged predictions.
    static func delete(name: String, on db: any SQLDatabase) async throws {
        try await PredictionLogStore.deleteOlder(deployment: name, than: Int64.max, on: db)
        try await db.raw("DELETE FROM deployment_outcomes WHERE deployment_name = \(bind: name)").run()
        try await db.raw("DELETE FROM deployment_revisions WHERE deployment_name = \(bind: name)").run()
        try await db.raw("DELETE FROM deployments WHERE name = \(bind: name)").run()
    }

    static func deployment(name: String, on db: any SQLDatabase) async throws -> Deployment? {
        guard let row = try await db.raw("SELECT name, spec_json, progress_json, created_at, updated_at FROM deployments WHERE name = \(bind: name)").first() else {
            return nil
        }
        return try await decode(row, on: db)
    }

    static func deployments(on db: any SQLDatabase) async throws -> [Deployment] {
        var result: [Deployment] = []
        for row in try await db.raw("SELECT name, spec_json, progress_json, created_at, updated_at FROM deployments ORDER BY name").all() {
            result.append(try await decode(row, on: db))
        }
        return result
    }

    private static func decode(_ row: any SQLRow, on db: any SQLDatabase) async throws -> Deployment {
        let name = try row.decode(column: "name", as: String.self)
        let spec = try JSONDecoder().decode(DeploymentSpec.self, from: Data(try row.decode(column: "spec_json", as: String.self).utf8))
        let revisions = try await db.raw("""
            SELECT number, model_name, model_version, percent, created_at FROM deployment_revisions
            WHERE deployment_name = \(bind: name) ORDER BY number
            """).all().map { row in
            Deployment.Revision(number: try row.decode(column: "number", as: Int.self), modelName: try row.decode(column: "model_name", as: String.self),
                                modelVersion: try row.decode(column: "model_version", as: Int64.self), createdAt: try row.decode(column: "created_at", as: Int64.self),
                                percent: try row.decode(column: "percent", as: Int.self))
        }
        let progress = try JSONDecoder().decode(DeploymentProgress.self, from: Data(try row.decode(column: "progress_json", as: String.self).utf8))
        return Deployment(spec: spec, revisions: revisions, progress: progress, createdAt: try row.decode(column: "created_at", as: Int64.self),
                          updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }

    /// Adds one reported outcome to `revision`'s tally.
    static func addOutcome(deployment: String, revision: Int, success: Bool, on db: any SQLDatabase) async throws {
        let successes = success ? 1 : 0
        try await db.raw("""
            INSERT INTO deployment_outcomes (deployment_name, revision, trials, successes)
            VALUES (\(bind: deployment), \(bind: revision), 1, \(bind: successes))
            ON CONFLICT (deployment_name, revision)
            DO UPDATE SET trials = deployment_outcomes.trials + 1, successes = deployment_outcomes.successes + \(bind: successes)
            """).run()
    }

    /// Outcomes by revision: (trials, successes).
    static func outcomes(deployment: String, on db: any SQLDatabase) async throws -> [Int: (trials: Int, successes: Int)] {
        var result: [Int: (trials: Int, successes: Int)] = [:]
        for row in try await db.raw("SELECT revision, trials, successes FROM deployment_outcomes WHERE deployment_name = \(bind: deployment)").all() {
            result[try row.decode(column: "revision", as: Int.self)] = (try row.decode(column: "trials", as: Int.self), try row.decode(column: "successes", as: Int.self))
        }
        return result
    }

    static func clearOutcomes(deployment: String, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM deployment_outcomes WHERE deployment_name = \(bind: deployment)").run()
    }

    private static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
