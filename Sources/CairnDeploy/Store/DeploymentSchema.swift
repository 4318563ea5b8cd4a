import CairnStorage

/// Tables owned by CairnDeploy: each deployment's spec and rollout progress, its revisions with
/// their traffic share, and the A/B outcomes reported per revision.
public enum DeploymentSchema {
    public static let migrations: [Migration] = [
        Migration(module: "deployments", version: 1, name: "deployments and revisions", statements: [
            """
            CREATE TABLE deployments (
                name TEXT NOT NULL PRIMARY KEY,
                spec_json TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE deployment_revisions (
                deployment_name TEXT NOT NULL REFERENCES deployments (name),
                number INTEGER NOT NULL,
                model_name TEXT NOT NULL,
                model_version BIGINT NOT NULL,
                percent INTEGER NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (deployment_name, number))
            """,
        ]),
        Migration(module: "deployments", version: 2, name: "rollout progress and A/B outcomes", statements: [
            #"ALTER TABLE deployments ADD COLUMN progress_json TEXT NOT NULL DEFAULT '{"retiring":[],"events":[]}'"#,
            """
            CREATE TABLE deployment_outcomes (
                deployment_name TEXT NOT NULL REFERENCES deployments (name),
                revision INTEGER NOT NULL,
                trials BIGINT NOT NULL,
                successes BIGINT NOT NULL,
                PRIMARY KEY (deployment_name, revision))
            """,
        ]),
    ]
}
