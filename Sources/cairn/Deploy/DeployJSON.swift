/// The deployment answers of `/api/v1/deployments`, as the CLI reads them.
struct DeploymentJSON: Decodable {
    struct Replica: Decodable {
        let url: String
        let ready: Bool
    }

    struct Revision: Decodable {
        let revision: Int
        let model_name: String
        let model_version: Int64
        let percent: Int
        let replicas: [Replica]
    }

    let name: String
    let model_name: String
    let model_version: Int64?
    let model_alias: String?
    let strategy: String
    let replicas: Int
    let revisions: [Revision]

    /// What it serves: `name version 3` or `name@alias (version 3)`.
    var serving: String {
        let live = revisions.first { $0.percent == 100 }?.model_version
        if let model_alias { return "\(model_name)@\(model_alias)" + (live.map { " (version \($0))" } ?? "") }
        return "\(model_name) version \(model_version ?? live ?? 0)"
    }

    /// One line per revision: traffic share and replicas ready.
    var revisionTable: String {
        TextTable(["REVISION", "MODEL VERSION", "TRAFFIC", "REPLICAS READY"], revisions.map {
            [String($0.revision), String($0.model_version), "\($0.percent) %", "\($0.replicas.filter(\.ready).count)/\($0.replicas.count)"]
        }).render()
    }
}

struct DeploymentEnvelope: Decodable {
    let deployment: DeploymentJSON
}

struct DeploymentsEnvelope: Decodable {
    let deployments: [DeploymentJSON]
}

/// The body of `POST /api/v1/deployments`.
struct DeploymentRequest: Encodable {
    let name: String
    let model_name: String
    let model_version: Int64?
    let model_alias: String?
    let strategy: String
    let replicas: Int
    let max_batch_size: Int
    let max_batch_wait_ms: Int
}

/// The body of `POST /api/v1/deployments/<name>/update`.
struct DeploymentUpdate: Encodable {
    let model_version: Int64?
    let model_alias: String?
}
