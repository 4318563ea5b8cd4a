import CairnCore

// Shapes of Cairn's own registry API (`/api/v1`). Models and versions use the MLflow shapes.

struct PolicyDTO: Encodable, Sendable {
    let model: String
    let target: TargetDTO
    let rules: [String]
    let required_approvals: Int
    let updated_by: String
    let updated_at: Int64

    init(_ policy: PromotionPolicy) {
        model = policy.modelName
        target = TargetDTO(policy.target)
        rules = policy.rules
        required_approvals = policy.requiredApprovals
        updated_by = policy.updatedBy
        updated_at = policy.updatedAt
    }
}

struct TargetDTO: Encodable, Sendable {
    let stage: String?
    let alias: String?

    init(_ target: PromotionTarget) {
        switch target {
        case .stage(let stage): self.stage = stage.rawValue; alias = nil
        case .alias(let name): stage = nil; alias = name
        }
    }
}

struct TransitionRequestDTO: Encodable, Sendable {
    struct Review: Encodable, Sendable {
        let reviewer: String
        let decision: String
        let comment: String?
        let created_at: Int64
    }

    let id: String
    let model: String
    let version: String
    let target: TargetDTO
    let status: String
    let requested_by: String
    let comment: String?
    let created_at: Int64
    let updated_at: Int64
    let reviews: [Review]

    init(_ request: TransitionRequest) {
        id = request.id
        model = request.modelName
        version = String(request.version)
        target = TargetDTO(request.target)
        status = request.status.rawValue
        requested_by = request.requestedBy
        comment = request.comment
        created_at = request.createdAt
        updated_at = request.updatedAt
        reviews = request.reviews.map {
            Review(reviewer: $0.reviewer, decision: $0.approved ? "approve" : "reject", comment: $0.comment, created_at: $0.createdAt)
        }
    }
}

struct ManifestOutput: Encodable, Sendable {
    let name: String
    let version: String
    let storage_location: String?
    /// False for a source outside Cairn's artifact store, whose files Cairn does not hold.
    let immutable: Bool
    let files: [ManifestEntry]
    let total_bytes: Int64
}

struct ModelDetailOutput: Encodable, Sendable {
    let registered_model: RegisteredModelDTO
    let model_versions: [ModelVersionDTO]
    let policies: [PolicyDTO]
}

struct PoliciesOutput: Encodable, Sendable {
    let policies: [PolicyDTO]
}

struct PolicyOutput: Encodable, Sendable {
    let policy: PolicyDTO
}

struct TransitionRequestOutput: Encodable, Sendable {
    let transition_request: TransitionRequestDTO
}

struct TransitionRequestsOutput: Encodable, Sendable {
    let transition_requests: [TransitionRequestDTO]
}

struct LineageOutput: Encodable, Sendable {
    struct RunDTO: Encodable, Sendable {
        let run_id: String
        let run_name: String
        let experiment_id: String
        let status: String
        let params: [String: String]
        let metrics: [String: Double]
    }

    struct DatasetDTO: Encodable, Sendable {
        let name: String
        let digest: String
        let source_type: String
        let source: String
        let context: String?
    }

    struct CodeDTO: Encodable, Sendable {
        let git_commit: String?
        let git_repo_url: String?
        let source_name: String?
    }

    let model_version: ModelVersionDTO
    let run: RunDTO?
    let datasets: [DatasetDTO]
    let code: CodeDTO
    let pipeline_run_id: String?

    init(_ lineage: ModelVersionLineage) {
        model_version = ModelVersionDTO(lineage.version)
        run = lineage.run.map { run in
            RunDTO(run_id: run.info.runID, run_name: run.info.runName, experiment_id: run.info.experimentID,
                   status: run.info.status.rawValue,
                   params: Dictionary(run.params.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last }),
                   metrics: Dictionary(run.metrics.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last }))
        }
        datasets = lineage.datasets.map { input in
            DatasetDTO(name: input.dataset.name, digest: input.dataset.digest, source_type: input.dataset.sourceType,
                       source: input.dataset.source, context: input.tags.last { $0.key == "mlflow.data.context" }?.value)
        }
        code = CodeDTO(git_commit: lineage.gitCommit, git_repo_url: lineage.gitRepoURL, source_name: lineage.sourceName)
        pipeline_run_id = lineage.pipelineRunID
    }
}
