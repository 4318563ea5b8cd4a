import CairnStorage

/// Tables owned by CairnDeploy: each deployment's spec, and its revisions with their traffic share.
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
    ]
}
