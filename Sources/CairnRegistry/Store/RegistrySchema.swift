import CairnStorage

/// Tables owned by CairnRegistry. Written in SQL both SQLite and PostgreSQL accept.
public enum RegistrySchema {
    public static let migrations: [Migration] = [
        Migration(module: "registry", version: 1, name: "registered models, versions, aliases, policies", statements: [
            """
            CREATE TABLE registered_models (
                id TEXT NOT NULL PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                creation_timestamp BIGINT NOT NULL,
                last_updated_timestamp BIGINT NOT NULL,
                user_id TEXT NOT NULL,
                description TEXT)
            """,
            """
            CREATE TABLE registered_model_tags (
                model_id TEXT NOT NULL REFERENCES registered_models (id),
                key TEXT NOT NULL, value TEXT NOT NULL,
                PRIMARY KEY (model_id, key))
            """,
            // search_registered_models' ordering by update time (MLflow's `timestamp`), ties by name.
            "CREATE INDEX registered_models_updated ON registered_models (last_updated_timestamp, name)",
            "CREATE INDEX registered_model_tags_key_value ON registered_model_tags (key, value)",
            """
            CREATE TABLE registered_model_aliases (
                model_id TEXT NOT NULL REFERENCES registered_models (id),
                alias TEXT NOT NULL,
                version BIGINT NOT NULL,
                PRIMARY KEY (model_id, alias))
            """,
            // Deleted versions keep their row (stage Deleted_Internal) so their numbers are never reused.
            """
            CREATE TABLE model_versions (
                model_id TEXT NOT NULL REFERENCES registered_models (id),
                version BIGINT NOT NULL,
                creation_timestamp BIGINT NOT NULL,
                last_updated_timestamp BIGINT NOT NULL,
                user_id TEXT NOT NULL,
                current_stage TEXT NOT NULL,
                description TEXT,
                source TEXT NOT NULL,
                run_id TEXT,
                run_link TEXT,
                logged_model_id TEXT,
                storage_location TEXT,
                PRIMARY KEY (model_id, version))
            """,
            // The database itself guarantees at most one Production version per model.
            "CREATE UNIQUE INDEX model_versions_one_production ON model_versions (model_id) WHERE current_stage = 'Production'",
            "CREATE INDEX model_versions_run ON model_versions (run_id)",
            "CREATE INDEX model_versions_updated ON model_versions (last_updated_timestamp)",
            """
            CREATE TABLE model_version_tags (
                model_id TEXT NOT NULL,
                version BIGINT NOT NULL,
                key TEXT NOT NULL, value TEXT NOT NULL,
                PRIMARY KEY (model_id, version, key),
                FOREIGN KEY (model_id, version) REFERENCES model_versions (model_id, version))
            """,
            // target: `stage:<Stage>` or `alias:<alias>`; rules: the policy's JSON document.
            """
            CREATE TABLE promotion_policies (
                model_id TEXT NOT NULL REFERENCES registered_models (id),
                target TEXT NOT NULL,
                rules TEXT NOT NULL,
                updated_by TEXT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (model_id, target))
            """,
            """
            CREATE TABLE transition_requests (
                id TEXT NOT NULL PRIMARY KEY,
                model_id TEXT NOT NULL REFERENCES registered_models (id),
                version BIGINT NOT NULL,
                target TEXT NOT NULL,
                status TEXT NOT NULL,
                requested_by TEXT NOT NULL,
                comment TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX transition_requests_version ON transition_requests (model_id, version, target)",
            """
            CREATE TABLE transition_request_reviews (
                request_id TEXT NOT NULL REFERENCES transition_requests (id),
                reviewer TEXT NOT NULL,
                decision TEXT NOT NULL,
                comment TEXT,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (request_id, reviewer))
            """,
        ]),
    ]
}
