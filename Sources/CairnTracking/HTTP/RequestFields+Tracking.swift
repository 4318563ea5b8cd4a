import CairnCore
import CairnHTTP

/// Decoding of tracking messages (tags, params, metrics, datasets) from request fields.
extension RequestFields {
    /// `run_id`, falling back to the deprecated `run_uuid` that old clients send.
    func runID() throws -> String {
        if let id = try string("run_id"), !id.isEmpty { return id }
        if let id = try string("run_uuid"), !id.isEmpty { return id }
        throw RequestFields.missing("run_id")
    }

    func keyValues(_ name: String) throws -> [KeyValue] {
        try objects(name).map { try $0.keyValue() }
    }

    func keyValue() throws -> KeyValue {
        KeyValue(key: try requiredString("key"), value: try string("value") ?? "")
    }

    /// A metric message; `timestamp` and `value` are required as in MLflow's handler.
    func metric() throws -> Metric {
        let key = try requiredString("key")
        guard let value = try double("value", required: true) else { throw RequestFields.missing("value") }
        guard let timestamp = try int64("timestamp", required: true) else { throw RequestFields.missing("timestamp") }
        return Metric(
            key: key, value: value, timestamp: timestamp, step: try int64("step") ?? 0,
            modelID: try string("model_id").flatMap { $0.isEmpty ? nil : $0 },
            datasetName: try string("dataset_name").flatMap { $0.isEmpty ? nil : $0 },
            datasetDigest: try string("dataset_digest").flatMap { $0.isEmpty ? nil : $0 })
    }

    func datasetInput() throws -> DatasetInput {
        guard let dataset = try object("dataset") else { throw RequestFields.missing("dataset") }
        return DatasetInput(
            tags: try keyValues("tags"),
            dataset: Dataset(
                name: try dataset.requiredString("name"), digest: try dataset.requiredString("digest"),
                sourceType: try dataset.requiredString("source_type"), source: try dataset.requiredString("source"),
                schema: try dataset.string("schema"), profile: try dataset.string("profile")))
    }

    func viewType(_ name: String) throws -> ViewType {
        try enumName(name, names: ViewType.wireNames).flatMap(ViewType.init(rawValue:)) ?? .activeOnly
    }
}
