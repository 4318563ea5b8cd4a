/// Tables owned by CairnStorage itself.
public enum StorageSchema {
    public static let migrations: [Migration] = [
        Migration(module: "storage", version: 1, name: "artifact files", statements: [
            """
            CREATE TABLE artifact_files (
                path TEXT NOT NULL PRIMARY KEY,
                sha256 TEXT NOT NULL,
                size BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX artifact_files_sha256 ON artifact_files (sha256)",
        ]),
        Migration(
            module: "storage", version: 2, name: "event outbox",
            statements: [
                """
                CREATE TABLE events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    type TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX events_subject ON events (subject, id)",
            ],
            postgresStatements: [
                """
                CREATE TABLE events (
                    id BIGSERIAL PRIMARY KEY,
                    type TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX events_subject ON events (subject, id)",
            ]),
    ]
}
