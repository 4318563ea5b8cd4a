import CairnCore
import Foundation
import SQLKit

/// SQL for deployments and their revisions.
enum DeploymentStore {
    static func insert(_ deployment: Deployment, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO deployments (name, spec_json, created_at, updated_at)
            VALUES (\(bind: deployment.name), \(bind: try specJSON(deployment.spec)), \(bind: deployment.createdAt), \(bind: deployment.updatedAt))
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

    /// Saves a deployment's spec and every revision's share (the revisions themselves never change).
    static func update(_ deployment: Deployment, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE deployments SET spec_json = \(bind: try specJSON(deployment.spec)), updated_at = \(bind: deployment.updatedAt)
            WHERE name = \(bind: deployment.name)
            """).run()
        for revision in deployment.revisions {
            try await db.raw("""
                UPDATE deployment_revisions SET percent = \(bind: revision.percent)
                WHERE deployment_name = \(bind: deployment.name) AND number = \(bind: revision.number)
                """).run()
        }
    }

    static func delete(name: String, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM deployment_revisions WHERE deployment_name = \(bind: name)").run()
        try await db.raw("DELETE FROM deployments WHERE name = \(bind: name)").run()
    }

    static func deployment(name: String, on db: any SQLDatabase) async throws -> Deployment? {
        guard let row = try await db.raw("SELECT name, spec_json, created_at, updated_at FROM deployments WHERE name = \(bind: name)").first() else {
            return nil
        }
        return try await decode(row, on: db)
    }

    static func deployments(on db: any SQLDatabase) async throws -> [Deployment] {
        var result: [Deployment] = []
        for row in try await db.raw("SELECT name, spec_json, created_at, updated_at FROM deployments ORDER BY name").all() {
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
        return Deployment(spec: spec, revisions: revisions, createdAt: try row.decode(column: "created_at", as: Int64.self),
                          updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }

    private static func specJSON(_ spec: DeploymentSpec) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(spec), as: UTF8.self)
    }
}
