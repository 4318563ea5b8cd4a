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
    ]
}
