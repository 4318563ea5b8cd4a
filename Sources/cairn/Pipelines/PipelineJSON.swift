/// The server's pipeline-run answers, as the CLI reads them.
struct PipelineRunJSON: Decodable {
    let run_id: String
    let pipeline_name: String
    let status: String
    let mlflow_run_id: String
    let created_at: Int64
    let ended_at: Int64?
    let message: String
    let steps: [PipelineStepJSON]?
}

struct PipelineStepJSON: Decodable {
    let step_key: String
    let status: String
    let attempt: Int
    let started_at: Int64?
    let ended_at: Int64?
    let message: String
}

struct PipelineRunEnvelope: Decodable {
    let pipeline_run: PipelineRunJSON
}

struct PipelineRunsEnvelope: Decodable {
    let pipeline_runs: [PipelineRunJSON]
}

struct StepLogJSON: Decodable {
    let text: String
    let next_offset: Int
    let attempt: Int
    let finished: Bool
}

/// `params` of a submission: numbers, booleans and lists keep their JSON types.
struct PipelineSubmission: Encodable {
    let spec_yaml: String
    let params: [String: ParamValue]

    enum ParamValue: Encodable {
        case text(String)
        case number(Double)
        case bool(Bool)

        /// `--param k=v`: the server coerces text to the declared type, so text is enough.
        init(_ text: String) { self = .text(text) }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .number(let number): try container.encode(number)
            case .bool(let bool): try container.encode(bool)
            }
        }
    }
}
