// Response bodies of MLflow's tracking endpoints (proto field names).

struct BulkMetricHistoryResponse: Encodable, Sendable { let metrics: [MetricDTO]? }

struct CreateExperimentResponse: Encodable, Sendable { let experiment_id: String }

struct ListArtifactsResponse: Encodable, Sendable { let files: [FileInfoDTO]? }

struct ListRunArtifactsResponse: Encodable, Sendable {
    let root_uri: String
    let files: [FileInfoDTO]?
}

struct MetricHistoryResponse: Encodable, Sendable {
    let metrics: [MetricDTO]?
    let next_page_token: String?
}

struct SearchExperimentsResponse: Encodable, Sendable {
    let experiments: [ExperimentDTO]?
    let next_page_token: String?
}

struct SearchLoggedModelsResponse: Encodable, Sendable {
    let models: [LoggedModelDTO]?
    let next_page_token: String?
}

struct SearchRunsResponse: Encodable, Sendable {
    let runs: [RunDTO]?
    let next_page_token: String?
}

struct UpdateRunResponse: Encodable, Sendable { let run_info: RunInfoDTO }
