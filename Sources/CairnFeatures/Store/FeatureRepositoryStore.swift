import SQLKit

/// Applied feature repositories: each `apply` is a new version of its project.
public enum FeatureRepositoryStore {
    public struct Applied: Sendable {
        public var project: String
        public var version: Int
        public var yaml: String
        public var baseDirectory: String
        public var appliedAt: Int64
    }

    public static func latest(project: String?, on db: any SQLDatabase) async throws -> Applied? {
        let filter: SQLQueryString = project.map { "WHERE project = \(bind: $0)" } ?? ""
        guard let row = try await db.raw("""
            SELECT project, version, yaml, base_directory, applied_at FROM feature_repositories \(filter) ORDER BY applied_at DESC, version DESC LIMIT 1
            """).first() else { return nil }
        return Applied(project: try row.decode(column: "project", as: String.self), version: try row.decode(column: "version", as: Int.self),
                       yaml: try row.decode(column: "yaml", as: String.self), baseDirectory: try row.decode(column: "base_directory", as: String.self),
                       appliedAt: try row.decode(column: "applied_at", as: Int64.self))
    }

    public static func insert(_ applied: Applied, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO feature_repositories (project, version, yaml, base_directory, applied_at)
            VALUES (\(bind: applied.project), \(bind: applied.version), \(bind: applied.yaml), \(bind: applied.baseDirectory), \(bind: applied.appliedAt))
            """).run()
    }
}
