import CairnCore
import SQLKit

/// SQL for runs, their params and tags, and for loading whole runs (with data) in a few queries.
enum RunStore {
    static let columns = "run_id, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage"

    static func insert(_ info: RunInfo, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO runs (\(unsafeRaw: columns))
            VALUES (\(bind: info.runID), \(bind: Int64(info.experimentID) ?? 0), \(bind: info.runName), \(bind: info.userID),
                    \(bind: info.status.rawValue), \(bind: info.startTime), \(bind: info.endTime), \(bind: info.artifactURI),
                    \(bind: info.lifecycleStage.rawValue))
            """).run()
    }

    static func info(_ runID: String, on db: any SQLDatabase) async throws -> RunInfo? {
        try await db.raw("SELECT \(unsafeRaw: columns) FROM runs WHERE run_id = \(bind: runID)").first().map(decode)
    }

    static func decode(_ row: any SQLRow) throws -> RunInfo {
        RunInfo(
            runID: try row.decode(column: "run_id", as: String.self),
            experimentID: String(try row.decode(column: "experiment_id", as: Int64.self)),
            runName: try row.decode(column: "name", as: String.self),
            userID: try row.decode(column: "user_id", as: String.self),
            status: RunStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .running,
            startTime: try row.decode(column: "start_time", as: Int64.self),
            endTime: try row.decode(column: "end_time", as: Int64?.self),
            artifactURI: try row.decode(column: "artifact_uri", as: String.self),
            lifecycleStage: LifecycleStage(rawValue: try row.decode(column: "lifecycle_stage", as: String.self)) ?? .active)
    }

    static func update(_ info: RunInfo, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE runs SET name = \(bind: info.runName), status = \(bind: info.status.rawValue), end_time = \(bind: info.endTime)
            WHERE run_id = \(bind: info.runID)
            """).run()
    }

    static func setLifecycle(_ stage: LifecycleStage, runIDs: [String]? = nil, experimentID: Int64? = nil, now: Int64, on db: any SQLDatabase) async throws {
        let deletedTime: Int64? = stage == .deleted ? now : nil
        if let runIDs, !runIDs.isEmpty {
            try await db.raw("""
                UPDATE runs SET lifecycle_stage = \(bind: stage.rawValue), deleted_time = \(bind: deletedTime) WHERE run_id IN (\(binds: runIDs))
                """).run()
        }
        if let experimentID {
            try await db.raw("""
                UPDATE runs SET lifecycle_stage = \(bind: stage.rawValue), deleted_time = \(bind: deletedTime) WHERE experiment_id = \(bind: experimentID)
                """).run()
        }
    }

    // MARK: - Params and tags

    /// Inserts params, refusing any that would change an already logged value (MLflow's rule).
    static func insertParams(_ params: [KeyValue], runID: String, on db: any SQLDatabase) async throws {
        guard !params.isEmpty else { return }
        let existing = try await db.raw("""
            SELECT key, value FROM params WHERE run_id = \(bind: runID) AND key IN (\(binds: params.map(\.key)))
            """).all()
        var logged: [String: String] = [:]
        for row in existing {
            logged[try row.decode(column: "key", as: String.self)] = try row.decode(column: "value", as: String.self)
        }
        for param in params {
            if let old = logged[param.key], old != param.value {
                throw CairnError.invalidParameter("Changing param values is not allowed. Param with key='\(param.key)' was already logged with value='\(old)' for run ID='\(runID)'. Attempted logging new value '\(param.value)'.")
            }
        }
        let fresh = params.filter { logged[$0.key] == nil }
        guard !fresh.isEmpty else { return }
        var insert = db.insert(into: "params").columns("run_id", "key", "value")
        for param in fresh { insert = insert.values([runID, param.key, param.value]) }
        try await insert.ignoringConflicts(with: ["run_id", "key"]).run()
    }

    static func setTags(_ tags: [KeyValue], runID: String, on db: any SQLDatabase) async throws {
        guard !tags.isEmpty else { return }
        // Later tags in one request win, as when MLflow applies them in order.
        var latest: [String: String] = [:]
        var order: [String] = []
        for tag in tags {
            if latest.updateValue(tag.value, forKey: tag.key) == nil { order.append(tag.key) }
        }
        var insert = db.insert(into: "run_tags").columns("run_id", "key", "value")
        for key in order { insert = insert.values([runID, key, latest[key]!]) }
        try await insert.onConflict(with: ["run_id", "key"]) { $0.set(excludedValueOf: "value") }.run()
    }

    static func deleteTag(key: String, runID: String, on db: any SQLDatabase) async throws -> Bool {
        let deleted = try await db.raw("DELETE FROM run_tags WHERE run_id = \(bind: runID) AND key = \(bind: key) RETURNING key").all()
        return !deleted.isEmpty
    }

    // MARK: - Loading runs with their data

    /// Attaches params, tags, latest metrics, inputs and outputs to `infos` with one query per
    /// table over all of them (never a cross join), keeping the order of `infos`.
    static func load(_ infos: [RunInfo], on db: any SQLDatabase) async throws -> [Run] {
        guard !infos.isEmpty else { return [] }
        let ids = infos.map(\.runID)
        let p = try await keyValues(table: "params", runIDs: ids, on: db)
        let t = try await keyValues(table: "run_tags", runIDs: ids, on: db)
        let m = try await MetricStore.latest(runIDs: ids, on: db)
        let i = try await InputStore.datasetInputs(runIDs: ids, on: db)
        let mi = try await InputStore.modelInputs(runIDs: ids, on: db)
        let o = try await InputStore.modelOutputs(runIDs: ids, on: db)
        return infos.map { info in
            Run(info: info, params: p[info.runID] ?? [], tags: t[info.runID] ?? [], metrics: m[info.runID] ?? [],
                datasetInputs: i[info.runID] ?? [], modelInputs: mi[info.runID] ?? [], modelOutputs: o[info.runID] ?? [])
        }
    }

    private static func keyValues(table: String, runIDs: [String], on db: any SQLDatabase) async throws -> [String: [KeyValue]] {
        let rows = try await db.raw("""
            SELECT run_id, key, value FROM \(ident: table) WHERE run_id IN (\(binds: runIDs)) ORDER BY key
            """).all()
        var result: [String: [KeyValue]] = [:]
        for row in rows {
            result[try row.decode(column: "run_id", as: String.self), default: []].append(KeyValue(
                key: try row.decode(column: "key", as: String.self), value: try row.decode(column: "value", as: String.self)))
        }
        return result
    }
}
