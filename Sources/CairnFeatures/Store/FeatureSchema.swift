import CairnStorage

/// The feature store's tables in the metadata store: applied repository versions, the online
/// store's latest value per entity and view, and the materialization history (its watermarks).
public enum FeatureSchema {
    public static let migrations: [Migration] = [
        Migration(module: "features", version: 1, name: "feature repositories, online values, materializations", statements: [
            """
            CREATE TABLE feature_repositories (
                project TEXT NOT NULL,
                version INTEGER NOT NULL,
                yaml TEXT NOT NULL,
                base_directory TEXT NOT NULL,
                applied_at BIGINT NOT NULL,
                PRIMARY KEY (project, version))
            """,
            """
            CREATE TABLE feature_online_values (
                project TEXT NOT NULL,
                view_name TEXT NOT NULL,
                entity_key TEXT NOT NULL,
                event_time BIGINT NOT NULL,
                created_time BIGINT,
                values_json TEXT NOT NULL,
                written_at BIGINT NOT NULL,
                PRIMARY KEY (project, view_name, entity_key))
            """,
            """
            CREATE TABLE feature_materializations (
                project TEXT NOT NULL,
                view_name TEXT NOT NULL,
                start_time BIGINT NOT NULL,
                end_time BIGINT NOT NULL,
                rows_written INTEGER NOT NULL,
                finished_at BIGINT NOT NULL)
            """,
            "CREATE INDEX feature_materializations_by_view ON feature_materializations (project, view_name, end_time)",
        ]),
        // Kept beside any online store (Redis has no cheap "newest value" query).
        Migration(module: "features", version: 2, name: "feature freshness", statements: [
            """
            CREATE TABLE feature_freshness (
                project TEXT NOT NULL,
                view_name TEXT NOT NULL,
                newest_event_time BIGINT NOT NULL,
                PRIMARY KEY (project, view_name))
            """,
        ]),
    ]
}
