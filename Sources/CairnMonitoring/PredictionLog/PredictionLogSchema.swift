import CairnStorage

/// The prediction log: one row per logged request, by deployment and time.
public enum PredictionLogSchema {
    public static let migrations: [Migration] = [
        Migration(module: "monitoring", version: 1, name: "prediction log", statements: [
            """
            CREATE TABLE prediction_log (
                request_id TEXT NOT NULL PRIMARY KEY,
                deployment_name TEXT NOT NULL,
                revision INTEGER NOT NULL,
                model_version TEXT,
                time BIGINT NOT NULL,
                latency_ms DOUBLE PRECISION NOT NULL,
                status INTEGER NOT NULL,
                inputs TEXT NOT NULL,
                outputs TEXT NOT NULL)
            """,
            "CREATE INDEX prediction_log_by_time ON prediction_log (deployment_name, time)",
        ]),
    ]
}
