// The parts of the registry API's answers the CLI prints.

struct RegisteredModelJSON: Decodable {
    struct Alias: Decodable {
        let alias: String
        let version: String
    }

    let name: String
    let last_updated_timestamp: Int64
    let description: String?
    let latest_versions: [ModelVersionJSON]?
    let tags: [TagJSON]?
    let aliases: [Alias]?
}

struct ModelVersionJSON: Decodable {
    let name: String
    let version: String
    let creation_timestamp: Int64
    let current_stage: String
    let source: String
    let run_id: String?
    let description: String?
    let aliases: [String]?
    let tags: [TagJSON]?
}

struct TagJSON: Decodable {
    let key: String
    let value: String
}

struct PolicyJSON: Decodable {
    struct Target: Decodable {
        let stage: String?
        let alias: String?

        var text: String { stage.map { "stage \($0)" } ?? "alias @\(alias ?? "")" }
    }

    let target: Target
    let rules: [String]
    let required_approvals: Int
}

struct TransitionRequestJSON: Decodable {
    struct Review: Decodable {
        let reviewer: String
        let decision: String
    }

    let id: String
    let model: String
    let version: String
    let target: PolicyJSON.Target
    let status: String
    let requested_by: String
    let comment: String?
    let reviews: [Review]
}

struct ModelListJSON: Decodable {
    let registered_models: [RegisteredModelJSON]
    let next_page_token: String?
}

struct ModelDetailJSON: Decodable {
    let registered_model: RegisteredModelJSON
    let model_versions: [ModelVersionJSON]
    let policies: [PolicyJSON]
}

struct ModelVersionOutputJSON: Decodable {
    let model_version: ModelVersionJSON
}

struct TransitionRequestOutputJSON: Decodable {
    let transition_request: TransitionRequestJSON
}

struct TransitionRequestsJSON: Decodable {
    let transition_requests: [TransitionRequestJSON]
}

struct ManifestJSON: Decodable {
    struct File: Decodable {
        let path: String
        let sha256: String
        let size: Int64
    }

    let storage_location: String?
    let immutable: Bool
    let files: [File]
    let total_bytes: Int64
}
