import CairnCore
import CairnStorage
import Foundation
import SQLKit

/// The fields of `runs/create`.
public struct CreateRunRequest: Sendable {
    public var experimentID: String?
    public var userID: String?
    public var runName: String?
    public var startTime: Int64?
    public var tags: [KeyValue]

    public init(experimentID: String?, userID: String?, runName: String?, startTime: Int64?, tags: [KeyValue]) {
        self.experimentID = experimentID
        self.userID = userID
        self.runName = runName
        self.startTime = startTime
        self.tags = tags
    }
}

extension TrackingService {
    static let runNameTag = "mlflow.runName"

    public func createRun(_ request: CreateRunRequest) async throws -> Run {
        let tags = try request.tags.map(Self.validatedRunTag)
        let tagName = tags.last { $0.key == Self.runNameTag }?.value
        if let runName = request.runName, let tagName, runName != tagName {
            throw CairnError.invalidParameter("Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='\(runName)', mlflow.runName='\(tagName)').")
        }
        let runName = request.runName.flatMap { $0.isEmpty ? nil : $0 } ?? tagName ?? RunNameGenerator.make()
        let experimentID = request.experimentID.flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultExperimentID
        let runID = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return try await database.write { db in
            let experiment = try await Self.requireExperiment(id: experimentID, on: db)
            try Self.requireActive(experiment)
            let info = RunInfo(
                runID: runID, experimentID: experimentID, runName: runName, userID: request.userID ?? "",
                status: .running, startTime: request.startTime ?? Clock.nowMillis(), endTime: nil,
                artifactURI: "\(experiment.artifactLocation)/\(runID)/artifacts", lifecycleStage: .active)
            try await RunStore.insert(info, on: db)
            var allTags = tags.filter { $0.key != Self.runNameTag }
            allTags.append(KeyValue(key: Self.runNameTag, value: runName))
            try await RunStore.setTags(allTags, runID: runID, on: db)
            return try await RunStore.load([info], on: db)[0]
        }
    }

    public func getRun(id: String) async throws -> Run {
        try await database.read { db in
            try await RunStore.load([try await Self.requireRun(id, on: db)], on: db)[0]
        }
    }

    /// A run's identity and lifecycle without its data (one query instead of seven).
    public func getRunInfo(id: String) async throws -> RunInfo {
        try await database.read { db in try await Self.requireRun(id, on: db) }
    }

    public func updateRun(id: String, status: RunStatus?, endTime: Int64?, runName: String?) async throws -> RunInfo {
        try await database.write { db in
            var info = try await Self.requireActiveRun(id, on: db)
            if let status { info.status = status }
            if let endTime { info.endTime = endTime }
            if let runName, !runName.isEmpty {
                info.runName = runName
                try await RunStore.setTags([KeyValue(key: Self.runNameTag, value: runName)], runID: id, on: db)
            }
            try await RunStore.update(info, on: db)
            return info
        }
    }

    public func deleteRun(id: String) async throws {
        try await database.write { db in
            _ = try await Self.requireRun(id, on: db)
            try await RunStore.setLifecycle(.deleted, runIDs: [id], now: Clock.nowMillis(), on: db)
        }
    }

    public func restoreRun(id: String) async throws {
        try await database.write { db in
            _ = try await Self.requireRun(id, on: db)
            try await RunStore.setLifecycle(.active, runIDs: [id], now: Clock.nowMillis(), on: db)
        }
    }

    public func searchRuns(experimentIDs: [String], filter: String?, orderBy: [String], viewType: ViewType,
                           maxResults: Int64?, pageToken: String?) async throws -> Page<Run> {
        let limit = Int(maxResults ?? Int64(TrackingLimits.defaultRunSearchResults))
        guard limit >= 1, limit <= TrackingLimits.maxRunSearchResults else {
            throw CairnError.invalidParameter("Invalid value \(limit) for parameter 'max_results' supplied. It must be between 1 and \(TrackingLimits.maxRunSearchResults), but got value \(limit)")
        }
        let offset = try PageToken.offset(from: pageToken)
        let request = RunSearchRequest(
            experimentIDs: experimentIDs,
            filter: try FilterParser.parse(filter, rules: .runs),
            orderBy: try OrderByParser.parse(orderBy, rules: .runs),
            viewType: viewType, maxResults: limit, offset: offset)
        guard !experimentIDs.isEmpty else { return Page(items: [], nextPageToken: nil) }
        let query = try RunSearchQuery.sql(request)
        let runs = try await database.read { db in
            let infos = try await db.raw(query).all().map(RunStore.decode)
            return try await RunStore.load(Array(infos.prefix(limit + 1)), on: db)
        }
        return Page(fetched: runs, offset: offset, limit: limit)
    }

    // MARK: - Logging

    public func logMetric(runID: String, metric: Metric) async throws {
        try await logBatch(runID: runID, metrics: [metric], params: [], tags: [])
    }

    public func logParam(runID: String, param: KeyValue) async throws {
        try await logBatch(runID: runID, metrics: [], params: [param], tags: [])
    }

    public func setTag(runID: String, tag: KeyValue) async throws {
        try await logBatch(runID: runID, metrics: [], params: [], tags: [tag])
    }

    /// Logs params, then metrics, then tags, atomically: all of them or none.
    public func logBatch(runID: String, metrics: [Metric], params: [KeyValue], tags: [KeyValue]) async throws {
        try TrackingValidation.validateBatchSizes(metrics: metrics.count, params: params.count, tags: tags.count)
        let duplicates = Dictionary(grouping: params, by: \.key).filter { $0.value.count > 1 }.keys.sorted()
        if !duplicates.isEmpty {
            throw CairnError.invalidParameter("Duplicate parameter keys have been submitted: \(duplicates). Please ensure the request contains only one param value per param key.")
        }
        for metric in metrics { try TrackingValidation.validateMetric(metric) }
        let params = try params.map { param -> KeyValue in
            try TrackingValidation.validateKey(param.key)
            return KeyValue(key: param.key, value: TrackingValidation.truncated(param.value, limit: TrackingLimits.maxParamValueLength))
        }
        let tags = try tags.map(Self.validatedRunTag)
        try await database.write { db in
            _ = try await Self.requireActiveRun(runID, on: db)
            try await RunStore.insertParams(params, runID: runID, on: db)
            try await MetricStore.insert(metrics, runID: runID, on: db)
            try await RunStore.setTags(tags, runID: runID, on: db)
            if let runName = tags.last(where: { $0.key == Self.runNameTag })?.value {
                try await db.raw("UPDATE runs SET name = \(bind: runName) WHERE run_id = \(bind: runID)").run()
            }
        }
    }

    public func deleteTag(runID: String, key: String) async throws {
        try await database.write { db in
            _ = try await Self.requireActiveRun(runID, on: db)
            guard try await RunStore.deleteTag(key: key, runID: runID, on: db) else {
                throw CairnError.notFound("No tag with name: \(key) in run with id \(runID)")
            }
        }
    }

    public func logInputs(runID: String, datasets: [DatasetInput], modelIDs: [String]) async throws {
        for input in datasets {
            try TrackingValidation.validateDataset(input.dataset)
            for tag in input.tags { try TrackingValidation.validateInputTag(tag) }
        }
        try await database.write { db in
            let info = try await Self.requireActiveRun(runID, on: db)
            try await InputStore.logDatasetInputs(datasets, runID: runID, experimentID: Int64(info.experimentID)!, on: db)
            try await InputStore.logModelInputs(modelIDs, runID: runID, on: db)
        }
    }

    public func logOutputs(runID: String, models: [ModelOutput]) async throws {
        try await database.write { db in
            _ = try await Self.requireActiveRun(runID, on: db)
            try await InputStore.logModelOutputs(models, runID: runID, on: db)
        }
    }

    // MARK: - Metric history

    public func metricHistory(runID: String, key: String, maxResults: Int64?, pageToken: String?) async throws -> Page<Metric> {
        if let maxResults, maxResults <= 0 {
            throw CairnError.invalidParameter("Invalid value \(maxResults) for parameter 'max_results' supplied. It must be a positive integer.")
        }
        let offset = try PageToken.offset(from: pageToken)
        let limit = maxResults.map { Int(min($0, 1_000_000)) }
        let points = try await database.read { db in
            _ = try await Self.requireRun(runID, on: db)
            return try await MetricStore.history(runID: runID, key: key, offset: offset, limit: limit.map { $0 + 1 }, on: db)
        }
        guard let limit else { return Page(items: points, nextPageToken: nil) }
        return Page(fetched: points, offset: offset, limit: limit)
    }

    /// A metric's whole history as points in step order, lighter than `metricHistory`
    /// for charts of long histories.
    public func metricSeries(runID: String, key: String) async throws -> [MetricPoint] {
        try await database.read { db in
            _ = try await Self.requireRun(runID, on: db)
            return try await MetricStore.series(runID: runID, key: key, on: db)
        }
    }

    /// `metrics/get-history-bulk-interval`: a metric of up to 100 runs, each sampled to at most
    /// `maxResults` points (see `MetricStore.sampledHistory`), for charts.
    public func metricHistoryBulk(runIDs: [String], key: String, startStep: Int64?, endStep: Int64?, maxResults: Int64?) async throws -> [Metric] {
        guard !runIDs.isEmpty else { throw CairnError.invalidParameter("GetMetricHistoryBulkInterval request must specify at least one run_id.") }
        guard runIDs.count <= 100 else { throw CairnError.invalidParameter("GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received \(runIDs.count) run_ids.") }
        let limit = Int(maxResults ?? 2500)
        guard limit > 0, limit <= 2500 else {
            throw CairnError.invalidParameter("max_results must be between 1 and 2500.")
        }
        var range: ClosedRange<Int64>?
        switch (startStep, endStep) {
        case (nil, nil): range = nil
        case (let start?, let end?):
            guard start <= end else {
                throw CairnError.invalidParameter("end_step must be greater than start_step. Found start_step=\(start) and end_step=\(end).")
            }
            range = start...end
        default: throw CairnError.invalidParameter("If either start step or end step are specified, both must be specified.")
        }
        return try await database.read { db in
            for runID in runIDs { _ = try await Self.requireRun(runID, on: db) }
            var points: [Metric] = []
            for runID in runIDs {
                points += try await MetricStore.sampledHistory(runID: runID, key: key, steps: range, maxResults: limit, on: db)
            }
            return points
        }
    }

    // MARK: - Helpers

    static func validatedRunTag(_ tag: KeyValue) throws -> KeyValue {
        try TrackingValidation.validateKey(tag.key)
        return KeyValue(key: tag.key, value: TrackingValidation.truncated(tag.value, limit: TrackingLimits.maxTagValueLength))
    }

    static func requireRun(_ runID: String, on db: any SQLDatabase) async throws -> RunInfo {
        guard let info = try await RunStore.info(runID, on: db) else {
            throw CairnError.notFound("Run with id=\(runID) not found")
        }
        return info
    }

    static func requireActiveRun(_ runID: String, on db: any SQLDatabase) async throws -> RunInfo {
        let info = try await requireRun(runID, on: db)
        guard info.lifecycleStage == .active else {
            throw CairnError.invalidParameter("The run \(runID) must be in the 'active' state. Current state is \(info.lifecycleStage.rawValue).")
        }
        return info
    }
}
