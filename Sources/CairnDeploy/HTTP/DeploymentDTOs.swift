/// `/api/v1/deployments` bodies.
struct DeploymentDTO: Encodable, Sendable {
    struct ReplicaDTO: Encodable, Sendable {
        let url: String
        let ready: Bool
    }

    struct RevisionDTO: Encodable, Sendable {
        let revision: Int
        let model_name: String
        let model_version: Int64
        let percent: Int
        let created_at: Int64
        let replicas: [ReplicaDTO]
    }

    let name: String
    let model_name: String
    let model_version: Int64?
    let model_alias: String?
    let strategy: String
    let replicas: Int
    let max_batch_size: Int
    let max_batch_wait_ms: Int
    let threads: Int
    let created_at: Int64
    let updated_at: Int64
    let revisions: [RevisionDTO]

    init(_ deployment: Deployment, replicas running: [Int: [(url: String, ready: Bool)]]) {
        let spec = deployment.spec
        name = spec.name
        model_name = spec.modelName
        model_version = spec.modelVersion
        model_alias = spec.modelAlias
        strategy = spec.strategy.rawValue
        replicas = spec.replicas
        max_batch_size = spec.maxBatchSize
        max_batch_wait_ms = spec.maxBatchWaitMilliseconds
        threads = spec.threads
        created_at = deployment.createdAt
        updated_at = deployment.updatedAt
        revisions = deployment.revisions.map { revision in
            RevisionDTO(revision: revision.number, model_name: revision.modelName, model_version: revision.modelVersion, percent: revision.percent,
                        created_at: revision.createdAt, replicas: running[revision.number, default: []].map { ReplicaDTO(url: $0.url, ready: $0.ready) })
        }
    }
}

struct DeploymentOutput: Encodable, Sendable {
    let deployment: DeploymentDTO
}

struct DeploymentsOutput: Encodable, Sendable {
    let deployments: [DeploymentDTO]
}
