import CairnStorage

/// Tables owned by CairnPipelines. Every state change of a run or step is a row update in a
/// transaction (plus an event), so a restarted server knows exactly where each run stood.
public enum PipelineSchema {
    public static let migrations: [Migration] = [
        Migration(module: "pipelines", version: 1, name: "pipelines, runs, steps, attempts", statements: [
            """
            CREATE TABLE pipelines (
                name TEXT NOT NULL PRIMARY KEY,
                spec_yaml TEXT NOT NULL,
                experiment_id BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE pipeline_runs (
                run_id TEXT NOT NULL PRIMARY KEY,
                pipeline_name TEXT NOT NULL REFERENCES pipelines (name),
                spec_yaml TEXT NOT NULL,
                params_json TEXT NOT NULL,
                status TEXT NOT NULL,
                mlflow_run_id TEXT NOT NULL,
                triggered_by TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                ended_at BIGINT,
                message TEXT NOT NULL)
            """,
            "CREATE INDEX pipeline_runs_by_pipeline ON pipeline_runs (pipeline_name, created_at)",
            "CREATE INDEX pipeline_runs_by_status ON pipeline_runs (status)",
            """
            CREATE TABLE pipeline_steps (
                run_id TEXT NOT NULL REFERENCES pipeline_runs (run_id),
                step_key TEXT NOT NULL,
                step_name TEXT NOT NULL,
                item_index INTEGER,
                item_json TEXT,
                position INTEGER NOT NULL,
                status TEXT NOT NULL,
                attempt INTEGER NOT NULL,
                retry_base INTEGER NOT NULL,
                not_before BIGINT,
                mlflow_run_id TEXT,
                cache_key TEXT,
                outputs_run_id TEXT,
                pid INTEGER,
                queued_at BIGINT,
                started_at BIGINT,
                ended_at BIGINT,
                message TEXT NOT NULL,
                PRIMARY KEY (run_id, step_key))
            """,
            "CREATE INDEX pipeline_steps_by_cache_key ON pipeline_steps (cache_key, status)",
            """
            CREATE TABLE pipeline_step_attempts (
                run_id TEXT NOT NULL,
                step_key TEXT NOT NULL,
                attempt INTEGER NOT NULL,
                started_at BIGINT NOT NULL,
                ended_at BIGINT,
                exit_code INTEGER,
                outcome TEXT NOT NULL,
                message TEXT NOT NULL,
                PRIMARY KEY (run_id, step_key, attempt))
            """,
        ]),
        Migration(module: "pipelines", version: 2, name: "trigger positions, cancel requests", statements: [
            // Per pipeline: the last cron time it was started for, and the last outbox event it has
            // looked at, so a restarted server neither repeats nor replays triggers.
            """
            CREATE TABLE pipeline_triggers (
                pipeline_name TEXT NOT NULL PRIMARY KEY REFERENCES pipelines (name),
                last_scheduled_at BIGINT NOT NULL,
                event_cursor BIGINT NOT NULL)
            """,
            // A cancel asked for, kept so a restarted server finishes the cancel instead of retrying.
            "ALTER TABLE pipeline_runs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0",
        ]),
    ]
}
