// Wire shapes of MLflow's tracking messages (service.proto). Property names are the proto's
// snake_case field names; nil and empty fields are omitted, as MLflow's server omits unset ones.

/// `{key, value}`: tags and params of every MLflow entity, tracking and registry alike.
package struct KeyValueDTO: Encodable, Sendable {
    let key: String
    let value: String

    package init(_ pair: KeyValue) {
        key = pair.key
        value = pair.value
    }
}

struct ExperimentDTO: Encodable, Sendable {
    let experiment_id: String
    let name: String
    let artifact_location: String
    let lifecycle_stage: String
    let last_update_time: Int64
    let creation_time: Int64
    let tags: [KeyValueDTO]?

    init(_ experiment: Experiment) {
        experiment_id = experiment.experimentID
        name = experiment.name
        artifact_location = experiment.artifactLocation
        lifecycle_stage = experiment.lifecycleStage.rawValue
        last_update_time = experiment.lastUpdateTime
        creation_time = experiment.creationTime
        tags = experiment.tags.nonEmpty?.map(KeyValueDTO.init)
    }
}

struct RunInfoDTO: Encodable, Sendable {
    let run_id: String
    let run_uuid: String
    let run_name: String
    let experiment_id: String
    let user_id: String
    let status: String
    let start_time: Int64
    let end_time: Int64?
    let artifact_uri: String
    let lifecycle_stage: String

    init(_ info: RunInfo) {
        run_id = info.runID
        run_uuid = info.runID
        run_name = info.runName
        experiment_id = info.experimentID
        user_id = info.userID
        status = info.status.rawValue
        start_time = info.startTime
        end_time = info.endTime
        artifact_uri = info.artifactURI
        lifecycle_stage = info.lifecycleStage.rawValue
    }
}

struct MetricDTO: Encodable, Sendable {
    let key: String
    let value: Double
    let timestamp: Int64
    let step: Int64
    let dataset_name: String?
    let dataset_digest: String?
    let model_id: String?
    let run_id: String?

    init(_ metric: Metric) {
        key = metric.key
        value = metric.value
        timestamp = metric.timestamp
        step = metric.step
        dataset_name = metric.datasetName
        dataset_digest = metric.datasetDigest
        model_id = metric.modelID
        run_id = metric.runID
    }
}

struct DatasetDTO: Encodable, Sendable {
    let name: String
    let digest: String
    let source_type: String
    let source: String
    let schema: String?
    let profile: String?
}

struct DatasetInputDTO: Encodable, Sendable {
    let tags: [KeyValueDTO]?
    let dataset: DatasetDTO

    init(_ input: DatasetInput) {
        tags = input.tags.nonEmpty?.map(KeyValueDTO.init)
        let d = input.dataset
        dataset = DatasetDTO(name: d.name, digest: d.digest, source_type: d.sourceType, source: d.source, schema: d.schema, profile: d.profile)
    }
}

struct ModelIDDTO: Encodable, Sendable {
    let model_id: String
}

struct ModelOutputDTO: Encodable, Sendable {
    let model_id: String
    let step: Int64
}

struct RunDTO: Encodable, Sendable {
    struct Data: Encodable, Sendable {
        let metrics: [MetricDTO]?
        let params: [KeyValueDTO]?
        let tags: [KeyValueDTO]?
    }

    struct Inputs: Encodable, Sendable {
        let dataset_inputs: [DatasetInputDTO]?
        let model_inputs: [ModelIDDTO]?
    }

    struct Outputs: Encodable, Sendable {
        let model_outputs: [ModelOutputDTO]?
    }

    let info: RunInfoDTO
    let data: Data
    let inputs: Inputs
    let outputs: Outputs?

    init(_ run: Run) {
        info = RunInfoDTO(run.info)
        data = Data(
            metrics: run.metrics.nonEmpty?.map(MetricDTO.init),
            params: run.params.nonEmpty?.map(KeyValueDTO.init),
            tags: run.tags.nonEmpty?.map(KeyValueDTO.init))
        inputs = Inputs(
            dataset_inputs: run.datasetInputs.nonEmpty?.map(DatasetInputDTO.init),
            model_inputs: run.modelInputs.nonEmpty?.map { ModelIDDTO(model_id: $0) })
        outputs = run.modelOutputs.nonEmpty.map { Outputs(model_outputs: $0.map { ModelOutputDTO(model_id: $0.modelID, step: $0.step) }) }
    }
}

struct LoggedModelDTO: Encodable, Sendable {
    struct Info: Encodable, Sendable {
        let model_id: String
        let experiment_id: String
        let name: String
        let creation_timestamp_ms: Int64
        let last_updated_timestamp_ms: Int64
        let artifact_uri: String
        let status: String
        let status_message: String?
        let model_type: String?
        let source_run_id: String?
        let tags: [KeyValueDTO]?
    }

    struct Data: Encodable, Sendable {
        let params: [KeyValueDTO]?
        let metrics: [MetricDTO]?
    }

    let info: Info
    let data: Data

    init(_ model: LoggedModel) {
        info = Info(
            model_id: model.modelID, experiment_id: model.experimentID, name: model.name,
            creation_timestamp_ms: model.creationTimestamp, last_updated_timestamp_ms: model.lastUpdatedTimestamp,
            artifact_uri: model.artifactURI, status: model.status.rawValue, status_message: model.statusMessage,
            model_type: model.modelType, source_run_id: model.sourceRunID, tags: model.tags.nonEmpty?.map(KeyValueDTO.init))
        data = Data(params: model.params.nonEmpty?.map(KeyValueDTO.init), metrics: model.metrics.nonEmpty?.map(MetricDTO.init))
    }
}

struct FileInfoDTO: Encodable, Sendable {
    let path: String
    let is_dir: Bool
    let file_size: Int64?
}
