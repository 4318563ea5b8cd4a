import CairnCore
import Foundation

/// Where the metadata store lives, parsed from MLflow-style `--backend-store-uri` values:
/// `sqlite:///relative.db`, `sqlite:////absolute.db`, `postgresql://user:pass@host:port/db`.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    public struct PostgresLocation: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var username: String
        public var password: String?
        public var database: String
    }

    public init(uri: String) throws {
        if uri.hasPrefix("sqlite:///") {
            let path = String(uri.dropFirst("sqlite:///".count))
            guard !path.isEmpty else { throw CairnError.invalidParameter("The SQLite URI '\(uri)' names no file.") }
            self = .sqlite(path: path)
            return
        }
        for scheme in ["postgresql://", "postgres://", "postgresql+psycopg2://"] where uri.hasPrefix(scheme) {
            guard let components = URLComponents(string: "postgresql://" + uri.dropFirst(scheme.count)),
                  let host = components.host, !host.isEmpty
            else { throw CairnError.invalidParameter("Cannot parse the PostgreSQL URI '\(uri)'.") }
            let database = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            self = .postgres(PostgresLocation(
                host: host,
                port: components.port ?? 5432,
                username: components.user ?? "postgres",
                password: components.password,
                database: database.isEmpty ? (components.user ?? "postgres") : database
            ))
            return
        }
        throw CairnError.invalidParameter(
            "Unsupported backend store URI '\(uri)': use sqlite:///path/to/cairn.db or postgresql://user@host/db.")
    }
}
