import CairnStorage

/// Tables owned by CairnTracking. Written in SQL both SQLite and PostgreSQL accept.
public enum TrackingSchema {
    public static let migrations: [Migration] = [
        Migration(module: "tracking", version: 1, name: "experiments, runs, params, tags, metrics", statements: [
            """
            CREATE TABLE experiments (
                experiment_id BIGINT NOT NULL PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                artifact_location TEXT NOT NULL,
                lifecycle_stage TEXT NOT NULL,
                creation_time BIGINT NOT NULL,
                last_update_time BIGINT NOT NULL)
            """,
            """
            CREATE TABLE experiment_tags (
                experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id),
                key TEXT NOT NULL, value TEXT NOT NULL,
                PRIMARY KEY (experiment_id, key))
            """,
            """
            CREATE TABLE runs (
                run_id TEXT NOT NULL PRIMARY KEY,
                experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id),
                name TEXT NOT NULL,
                user_id TEXT NOT NULL,
                status TEXT NOT NULL,
                start_time BIGINT NOT NULL,
                end_time BIGINT,
                artifact_uri TEXT NOT NULL,
                lifecycle_stage TEXT NOT NULL,
                deleted_time BIGINT)
            """,
            "CREATE INDEX runs_experiment_start ON runs (experiment_id, start_time)",
            """
            CREATE TABLE params (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                key TEXT NOT NULL, value TEXT NOT NULL,
                PRIMARY KEY (run_id, key))
            """,
            """
            CREATE TABLE run_tags (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                key TEXT NOT NULL, value TEXT NOT NULL,
                PRIMARY KEY (run_id, key))
            """,
            // Every logged point; identical points collapse (MLflow's primary key), so retries are harmless.
            // Key order serves history reads, which MLflow returns by (timestamp, step, value).
            """
            CREATE TABLE metrics (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                key TEXT NOT NULL,
                step BIGINT NOT NULL,
                timestamp BIGINT NOT NULL,
                value DOUBLE PRECISION NOT NULL,
                is_nan INTEGER NOT NULL,
                model_id TEXT,
                dataset_name TEXT,
                dataset_digest TEXT,
                PRIMARY KEY (run_id, key, timestamp, step, value, is_nan))
            """,
            // The greatest (step, timestamp, value) per key: what runs/get and search read.
            """
            CREATE TABLE latest_metrics (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                key TEXT NOT NULL,
                step BIGINT NOT NULL,
                timestamp BIGINT NOT NULL,
                value DOUBLE PRECISION NOT NULL,
                is_nan INTEGER NOT NULL,
                PRIMARY KEY (run_id, key))
            """,
            "CREATE INDEX latest_metrics_key_value ON latest_metrics (key, value)",
            "CREATE INDEX params_key_value ON params (key, value)",
            "CREATE INDEX run_tags_key_value ON run_tags (key, value)",
        ]),
        Migration(module: "tracking", version: 2, name: "datasets, inputs, outputs, logged models", statements: [
            """
            CREATE TABLE datasets (
                dataset_id TEXT NOT NULL PRIMARY KEY,
                experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id),
                name TEXT NOT NULL,
                digest TEXT NOT NULL,
                source_type TEXT NOT NULL,
                source TEXT NOT NULL,
                dataset_schema TEXT,
                profile TEXT,
                UNIQUE (experiment_id, name, digest))
            """,
            """
            CREATE TABLE run_dataset_inputs (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                dataset_id TEXT NOT NULL REFERENCES datasets (dataset_id),
                tags_json TEXT NOT NULL,
                context TEXT,
                PRIMARY KEY (run_id, dataset_id))
            """,
            """
            CREATE TABLE run_model_inputs (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                model_id TEXT NOT NULL,
                PRIMARY KEY (run_id, model_id))
            """,
            """
            CREATE TABLE run_model_outputs (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                model_id TEXT NOT NULL,
                step BIGINT NOT NULL,
                PRIMARY KEY (run_id, model_id, step))
            """,
            """
            CREATE TABLE logged_models (
                model_id TEXT NOT NULL PRIMARY KEY,
                experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id),
                name TEXT NOT NULL,
                artifact_uri TEXT NOT NULL,
                creation_timestamp BIGINT NOT NULL,
                last_updated_timestamp BIGINT NOT NULL,
                status TEXT NOT NULL,
                status_message TEXT,
                model_type TEXT,
                source_run_id TEXT,
                lifecycle_stage TEXT NOT NULL)
            """,
            "CREATE INDEX logged_models_experiment ON logged_models (experiment_id, creation_timestamp)",
            """
            CREATE TABLE logged_model_tags (
                model_id TEXT NOT NULL REFERENCES logged_models (model_id),
                key TEXT NOT NULL, value TEXT NOT NULL,
                PRIMARY KEY (model_id, key))
            """,
            """
            CREATE TABLE logged_model_params (
                model_id TEXT NOT NULL REFERENCES logged_models (model_id),
                key TEXT NOT NULL, value TEXT NOT NULL,
                PRIMARY KEY (model_id, key))
            """,
            "CREATE INDEX metrics_model ON metrics (model_id)",
        ]),
    ]
}
