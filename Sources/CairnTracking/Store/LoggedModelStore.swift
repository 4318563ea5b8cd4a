import CairnCore
import SQLKit

/// SQL for MLflow 3 logged models, their tags and params. Their metrics are the `metrics` rows
/// logged with their `model_id`.
enum LoggedModelStore {
    static let columns = """
        model_id, experiment_id, name, artifact_uri, creation_timestamp, last_updated_timestamp, status, status_message, \
        model_type, source_run_id, lifecycle_stage
        """

    static func insert(_ model: LoggedModel, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO logged_models (\(unsafeRaw: columns))
            VALUES (\(bind: model.modelID), \(bind: Int64(model.experimentID) ?? 0), \(bind: model.name), \(bind: model.artifactURI),
                    \(bind: model.creationTimestamp), \(bind: model.lastUpdatedTimestamp), \(bind: model.status.rawValue),
                    \(bind: model.statusMessage), \(bind: model.modelType), \(bind: model.sourceRunID), \(bind: model.lifecycleStage.rawValue))
            """).run()
        try await setTags(model.tags, modelID: model.modelID, on: db)
        try await setParams(model.params, modelID: model.modelID, on: db)
    }

    static func get(_ modelID: String, on db: any SQLDatabase) async throws -> LoggedModel? {
        let rows = try await db.raw("SELECT \(unsafeRaw: columns) FROM logged_models WHERE model_id = \(bind: modelID)").all()
        return try await load(rows, on: db).first
    }

    /// Decodes model rows and attaches tags, params and metrics with one query per table.
    static func load(_ rows: [any SQLRow], on db: any SQLDatabase) async throws -> [LoggedModel] {
        var models = try rows.map(decode)
        guard !models.isEmpty else { return [] }
        let ids = models.map(\.modelID)
        let tags = try await keyValues(table: "logged_model_tags", ids: ids, on: db)
        let params = try await keyValues(table: "logged_model_params", ids: ids, on: db)
        let metricRows = try await db.raw("""
            SELECT model_id, run_id, key, step, timestamp, value, is_nan, dataset_name, dataset_digest FROM metrics
            WHERE model_id IN (\(binds: ids)) ORDER BY key, step, timestamp
            """).all()
        var metrics: [String: [Metric]] = [:]
        for row in metricRows {
            var metric = try MetricStore.decode(row, withOrigin: true)
            metric.runID = try row.decode(column: "run_id", as: String.self)
            metric.modelID = try row.decode(column: "model_id", as: String.self)
            metrics[metric.modelID!, default: []].append(metric)
        }
        for index in models.indices {
            let id = models[index].modelID
            models[index].tags = tags[id] ?? []
            models[index].params = params[id] ?? []
            models[index].metrics = metrics[id] ?? []
        }
        return models
    }

    static func decode(_ row: any SQLRow) throws -> LoggedModel {
        LoggedModel(
            modelID: try row.decode(column: "model_id", as: String.self),
            experimentID: String(try row.decode(column: "experiment_id", as: Int64.self)),
            name: try row.decode(column: "name", as: String.self),
            artifactURI: try row.decode(column: "artifact_uri", as: String.self),
            creationTimestamp: try row.decode(column: "creation_timestamp", as: Int64.self),
            lastUpdatedTimestamp: try row.decode(column: "last_updated_timestamp", as: Int64.self),
            status: LoggedModelStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .unspecified,
            statusMessage: try row.decode(column: "status_message", as: String?.self),
            modelType: try row.decode(column: "model_type", as: String?.self),
            sourceRunID: try row.decode(column: "source_run_id", as: String?.self),
            lifecycleStage: LifecycleStage(rawValue: try row.decode(column: "lifecycle_stage", as: String.self)) ?? .active,
            tags: [], params: [], metrics: [])
    }

    static func update(_ modelID: String, status: LoggedModelStatus? = nil, lifecycleStage: LifecycleStage? = nil, now: Int64, on db: any SQLDatabase) async throws {
        if let status {
            try await db.raw("""
                UPDATE logged_models SET status = \(bind: status.rawValue), last_updated_timestamp = \(bind: now) WHERE model_id = \(bind: modelID)
                """).run()
        }
        if let lifecycleStage {
            try await db.raw("""
                UPDATE logged_models SET lifecycle_stage = \(bind: lifecycleStage.rawValue), last_updated_timestamp = \(bind: now)
                WHERE model_id = \(bind: modelID)
                """).run()
        }
    }

    static func setTags(_ tags: [KeyValue], modelID: String, on db: any SQLDatabase) async throws {
        try await upsert(table: "logged_model_tags", tags, modelID: modelID, on: db)
    }

    static func setParams(_ params: [KeyValue], modelID: String, on db: any SQLDatabase) async throws {
        try await upsert(table: "logged_model_params", params, modelID: modelID, on: db)
    }

    static func deleteTag(_ key: String, modelID: String, on db: any SQLDatabase) async throws -> Bool {
        !(try await db.raw("DELETE FROM logged_model_tags WHERE model_id = \(bind: modelID) AND key = \(bind: key) RETURNING key").all()).isEmpty
    }

    private static func upsert(table: String, _ pairs: [KeyValue], modelID: String, on db: any SQLDatabase) async throws {
        var latest: [String: String] = [:]
        for pair in pairs { latest[pair.key] = pair.value }
        guard !latest.isEmpty else { return }
        var insert = db.insert(into: table).columns("model_id", "key", "value")
        for (key, value) in latest.sorted(by: { $0.key < $1.key }) { insert = insert.values([modelID, key, value]) }
        try await insert.onConflict(with: ["model_id", "key"]) { $0.set(excludedValueOf: "value") }.run()
    }

    private static func keyValues(table: String, ids: [String], on db: any SQLDatabase) async throws -> [String: [KeyValue]] {
        let rows = try await db.raw("SELECT model_id, key, value FROM \(ident: table) WHERE model_id IN (\(binds: ids)) ORDER BY key").all()
        var result: [String: [KeyValue]] = [:]
        for row in rows {
            result[try row.decode(column: "model_id", as: String.self), default: []].append(KeyValue(
                key: try row.decode(column: "key", as: String.self), value: try row.decode(column: "value", as: String.self)))
        }
        return result
    }
}
