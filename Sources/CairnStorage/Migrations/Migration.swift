import SQLKit

/// One numbered, forward-only schema change owned by a module. Statements are portable SQL
/// (run unchanged on SQLite and PostgreSQL) unless `postgresStatements` overrides them.
public struct Migration: Sendable {
    public let module: String
    public let version: Int
    public let name: String
    public let statements: [String]
    public let postgresStatements: [String]?

    public init(module: String, version: Int, name: String, statements: [String], postgresStatements: [String]? = nil) {
        self.module = module
        self.version = version
        self.name = name
        self.statements = statements
        self.postgresStatements = postgresStatements
    }

    func statements(for engine: DatabaseEngine) -> [String] {
        engine == .postgres ? (postgresStatements ?? statements) : statements
    }
}
