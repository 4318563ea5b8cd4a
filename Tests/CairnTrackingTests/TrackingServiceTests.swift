import CairnCore
import CairnStorage
import CairnTestSupport
import Foundation
import Testing
@testable import CairnTracking

/// The tracking store suite; every test runs on SQLite and on PostgreSQL.
@Suite("Tracking service and store, on every engine")
struct TrackingServiceTests {
    static func withService(_ engine: DatabaseEngine, _ body: (TrackingService) async throws -> Void) async throws {
        try await TestDatabases.with(engine, migrations: StorageSchema.migrations + TrackingSchema.migrations) { database in
            let artifacts = try LocalArtifactStore(root: TestDatabases.temporaryDirectory(), database: database)
            let service = TrackingService(database: database, artifacts: artifacts)
            try await service.bootstrap()
            try await body(service)
        }
    }


    static func metric(_ key: String, _ value: Double, step: Int64, timestamp: Int64 = 1000) -> Metric {
        Metric(key: key, value: value, timestamp: timestamp, step: step)
    }

    @Test("The Default experiment exists and names are unique", arguments: TestDatabases.engines)
    func experiments(engine: DatabaseEngine) async throws {
        try await Self.withService(engine) { service in
            let defaultExperiment = try await service.getExperiment(id: "0")
            #expect(defaultExperiment.name == "Default")
            #expect(defaultExperiment.artifactLocation == "mlflow-artifacts:/0")
            let id = try await service.createExperiment(name: "exp", artifactLocation: nil, tags: [KeyValue(key: "team", value: "a")])
            #expect(id == "1")
            #expect(try await service.getExperiment(name: "exp").tags == [KeyValue(key: "team", value: "a")])
            #expect(await errorCode { _ = try await service.createExperiment(name: "exp", artifactLocation: nil, tags: []) } == .resourceAlreadyExists)
            #expect(await errorCode { _ = try await service.getExperiment(id: "42") } == .resourceDoesNotExist)
            try await service.renameExperiment(id: id, newName: "exp2")
            #expect(try await service.getExperiment(id: id).name == "exp2")
        }
    }

    @Test("Deleting an experiment hides its runs; restoring brings them back", arguments: TestDatabases.engines)
    func experimentLifecycle(engine: DatabaseEngine) async throws {
        try await Self.withService(engine) { service in
            let id = try await service.createExperiment(name: "e", artifactLocation: nil, tags: [])
            let run = try await service.createRun(CreateRunRequest(experimentID: id, userID: "u", runName: "r", startTime: 1, tags: []))
            try await service.deleteExperiment(id: id)
            #expect(try await service.getRun(id: run.info.runID).info.lifecycleStage == .deleted)
            let active = try await service.searchRuns(experimentIDs: [id], filter: nil, orderBy: [], viewType: .activeOnly, maxResults: nil, pageToken: nil)
            #expect(active.items.isEmpty)
            #expect(await errorCode { _ = try await service.createRun(CreateRunRequest(experimentID: id, userID: nil, runName: nil, startTime: nil, tags: [])) } == .invalidParameterValue)
            try await service.restoreExperiment(id: id)
            let restored = try await service.searchRuns(experimentIDs: [id], filter: nil, orderBy: [], viewType: .activeOnly, maxResults: nil, pageToken: nil)
            #expect(restored.items.map(\.info.runID) == [run.info.runID])
        }
    }

    @Test("Runs keep params write-once, the latest metric per key, and refuse writes once deleted", arguments: TestDatabases.engines)
    func runData(engine: DatabaseEngine) async throws {
        try await Self.withService(engine) { service in
            let run = try await service.createRun(CreateRunRequest(experimentID: "0", userID: "u", runName: "named", startTime: 5, tags: []))
            let runID = run.info.runID
            #expect(run.tags.contains(KeyValue(key: "mlflow.runName", value: "named")))
            try await service.logBatch(runID: runID,
                                       metrics: [Self.metric("loss", 0.9, step: 1), Self.metric("loss", 0.5, step: 3), Self.metric("loss", 0.7, step: 2),
                                                 Self.metric("weird", .nan, step: 0), Self.metric("big", .infinity, step: 0)],
                                       params: [KeyValue(key: "lr", value: "0.1")], tags: [KeyValue(key: "t", value: "1")])
            // Retried identical writes are harmless.
            try await service.logMetric(runID: runID, metric: Self.metric("loss", 0.5, step: 3))
            try await service.logParam(runID: runID, param: KeyValue(key: "lr", value: "0.1"))
            let loaded = try await service.getRun(id: runID)
            let latest = Dictionary(uniqueKeysWithValues: loaded.metrics.map { ($0.key, $0) })
            #expect(latest["loss"]?.value == 0.5 && latest["loss"]?.step == 3)
            #expect(latest["weird"]?.value.isNaN == true)
            #expect(latest["big"]?.value == .infinity)
            let history = try await service.metricHistory(runID: runID, key: "loss", maxResults: nil, pageToken: nil)
            #expect(history.items.map(\.step) == [1, 2, 3])

            #expect(await errorCode { try await service.logParam(runID: runID, param: KeyValue(key: "lr", value: "0.2")) } == .invalidParameterValue)
            try await service.deleteRun(id: runID)
            #expect(await errorCode { try await service.logMetric(runID: runID, metric: Self.metric("loss", 1, step: 9)) } == .invalidParameterValue)
            #expect(await errorCode { _ = try await service.getRun(id: "missing") } == .resourceDoesNotExist)
        }
    }

    @Test("A refused batch changes nothing", arguments: TestDatabases.engines)
    func batchAtomicity(engine: DatabaseEngine) async throws {
        try await Self.withService(engine) { service in
            let runID = try await service.createRun(CreateRunRequest(experimentID: "0", userID: nil, runName: nil, startTime: nil, tags: [])).info.runID
            try await service.logParam(runID: runID, param: KeyValue(key: "p", value: "a"))
            let code = await errorCode {
                try await service.logBatch(runID: runID, metrics: [Self.metric("m", 1, step: 0)],
                                           params: [KeyValue(key: "p", value: "b")], tags: [KeyValue(key: "t", value: "x")])
            }
            #expect(code == .invalidParameterValue)
            let run = try await service.getRun(id: runID)
            #expect(run.metrics.isEmpty)
            #expect(!run.tags.contains { $0.key == "t" })
            let tooMany = (0...1000).map { Self.metric("m", Double($0), step: Int64($0)) }
            #expect(await errorCode { try await service.logBatch(runID: runID, metrics: tooMany, params: [], tags: []) } == .invalidParameterValue)
            #expect(await errorCode { try await service.logMetric(runID: runID, metric: Self.metric("../escape", 1, step: 0)) } == .invalidParameterValue)
        }
    }

    @Test("Run search filters, orders with missing values last, and pages without gaps", arguments: TestDatabases.engines)
    func search(engine: DatabaseEngine) async throws {
        try await Self.withService(engine) { service in
            let experiment = try await service.createExperiment(name: "search", artifactLocation: nil, tags: [])
            var ids: [String] = []
            for index in 0..<25 {
                let run = try await service.createRun(CreateRunRequest(
                    experimentID: experiment, userID: "u", runName: "run-\(index)", startTime: Int64(1000 + index), tags: []))
                ids.append(run.info.runID)
                var metrics = [Self.metric("acc", Double(index) / 25, step: 0)]
                if index % 5 == 0 { metrics = [] }
                try await service.logBatch(runID: run.info.runID, metrics: metrics,
                                           params: [KeyValue(key: "model", value: index % 2 == 0 ? "rf" : "Linear")],
                                           tags: [KeyValue(key: "group", value: "g\(index % 3)")])
            }
            func search(_ filter: String?, _ orderBy: [String] = [], max: Int64? = nil, token: String? = nil) async throws -> Page<Run> {
                try await service.searchRuns(experimentIDs: [experiment], filter: filter, orderBy: orderBy, viewType: .activeOnly, maxResults: max, pageToken: token)
            }
            #expect(try await search("metrics.acc > 0.5").items.count == 10)
            #expect(try await search("metrics.acc >= 0.5 and params.model = 'rf'").items.allSatisfy { $0.params.contains(KeyValue(key: "model", value: "rf")) })
            #expect(try await search("params.model LIKE 'lin%'").items.isEmpty)
            #expect(try await search("params.model ILIKE 'lin%'").items.count == 12)
            #expect(try await search("tags.group != 'g0'").items.count == 16)
            #expect(try await search("attributes.run_name = 'run-3'").items.map(\.info.runID) == [ids[3]])
            #expect(try await search("attributes.run_id IN ('\(ids[1])', '\(ids[2])')").items.count == 2)
            #expect(try await search("attributes.start_time < 1005").items.count == 5)
            #expect(try await search("params.missing IS NULL").items.count == 25)
            let ordered = try await search(nil, ["metrics.acc DESC"]).items
            #expect(ordered.first?.info.runID == ids[24])
            #expect(ordered.suffix(5).allSatisfy { $0.metrics.isEmpty })
            // Default order: newest first.
            #expect(try await search(nil).items.first?.info.runID == ids[24])

            var seen: [String] = []
            var token: String? = nil
            repeat {
                let page = try await search(nil, ["params.model ASC"], max: 7, token: token)
                seen += page.items.map(\.info.runID)
                token = page.nextPageToken
            } while token != nil
            #expect(seen.count == 25 && Set(seen).count == 25)

            let nonNumeric = try await service.searchRuns(experimentIDs: ["not-a-number"], filter: nil, orderBy: [], viewType: .all, maxResults: nil, pageToken: nil)
            #expect(nonNumeric.items.isEmpty)
            #expect(await errorCode { _ = try await search("metrics.acc >> 1") } == .invalidParameterValue)
            #expect(await errorCode { _ = try await search("params.model = 'rf' OR params.model = 'x'") } == .invalidParameterValue)
            #expect(await errorCode { _ = try await search(nil, max: 50001) } == .invalidParameterValue)
            #expect(await errorCode { _ = try await search(nil, token: "not-a-token!") } == .invalidParameterValue)
        }
    }

    @Test("Experiment search filters by name and tags and pages", arguments: TestDatabases.engines)
    func experimentSearch(engine: DatabaseEngine) async throws {
        try await Self.withService(engine) { service in
            for index in 0..<5 {
                _ = try await service.createExperiment(name: "proj-\(index)", artifactLocation: nil, tags: [KeyValue(key: "k", value: "\(index % 2)")])
            }
            let matching = try await service.searchExperiments(filter: "name LIKE 'proj-%' and tags.k = '1'", orderBy: ["name ASC"], viewType: .activeOnly, maxResults: nil, pageToken: nil)
            #expect(matching.items.map(\.name) == ["proj-1", "proj-3"])
            let firstPage = try await service.searchExperiments(filter: nil, orderBy: [], viewType: .all, maxResults: 4, pageToken: nil)
            #expect(firstPage.items.count == 4 && firstPage.nextPageToken != nil)
            let secondPage = try await service.searchExperiments(filter: nil, orderBy: [], viewType: .all, maxResults: 4, pageToken: firstPage.nextPageToken)
            #expect(secondPage.items.count == 2 && secondPage.nextPageToken == nil)
        }
    }

    @Test("Logged models link back to their run and collect metrics logged with their id", arguments: TestDatabases.engines)
    func loggedModels(engine: DatabaseEngine) async throws {
        try await Self.withService(engine) { service in
            let runID = try await service.createRun(CreateRunRequest(experimentID: "0", userID: nil, runName: nil, startTime: nil, tags: [])).info.runID
            let model = try await service.createLoggedModel(CreateLoggedModelRequest(
                experimentID: "0", name: "model", modelType: nil, sourceRunID: runID, params: [KeyValue(key: "a", value: "1")], tags: []))
            #expect(model.status == .pending)
            #expect(model.artifactURI == "mlflow-artifacts:/0/models/\(model.modelID)/artifacts")
            try await service.logOutputs(runID: runID, models: [ModelOutput(modelID: model.modelID, step: 0)])
            var metric = Self.metric("auc", 0.9, step: 0)
            metric.modelID = model.modelID
            try await service.logMetric(runID: runID, metric: metric)
            let ready = try await service.finalizeLoggedModel(id: model.modelID, status: .ready)
            #expect(ready.status == .ready)
            #expect(ready.metrics.map(\.key) == ["auc"])
            #expect(try await service.getRun(id: runID).modelOutputs.map(\.modelID) == [model.modelID])
            let found = try await service.searchLoggedModels(experimentIDs: ["0"], filter: "name = 'model'", orderBy: [], maxResults: nil, pageToken: nil)
            #expect(found.items.map(\.modelID) == [model.modelID])
        }
    }

    @Test("Bulk-interval history samples each run's points into even buckets, keeping the last", arguments: TestDatabases.engines)
    func sampledHistory(engine: DatabaseEngine) async throws {
        try await Self.withService(engine) { service in
            let dense = try await service.createRun(CreateRunRequest(experimentID: "0", userID: nil, runName: nil, startTime: nil, tags: [])).info.runID
            let sparse = try await service.createRun(CreateRunRequest(experimentID: "0", userID: nil, runName: nil, startTime: nil, tags: [])).info.runID
            for start in stride(from: 0, to: 1000, by: 500) {
                try await service.logBatch(runID: dense, metrics: (start..<start + 500).map { Self.metric("loss", Double($0), step: Int64($0)) }, params: [], tags: [])
            }
            try await service.logBatch(runID: sparse, metrics: [5, 333, 777].map { Self.metric("loss", 1, step: $0) }, params: [], tags: [])

            let ranged = try await service.metricHistoryBulk(runIDs: [dense, sparse], key: "loss", startStep: 100, endStep: 899, maxResults: 4)
            #expect(ranged.filter { $0.runID == dense }.map(\.step) == [100, 300, 500, 899])
            #expect(ranged.filter { $0.runID == sparse }.map(\.step) == [333, 777])
            let whole = try await service.metricHistoryBulk(runIDs: [dense], key: "loss", startStep: nil, endStep: nil, maxResults: 10)
            #expect(whole.map(\.step) == [0, 100, 200, 300, 400, 500, 600, 700, 800, 999])
            #expect(try await service.metricHistoryBulk(runIDs: [dense], key: "loss", startStep: nil, endStep: nil, maxResults: nil).count == 1000)
            #expect(await errorCode { _ = try await service.metricHistoryBulk(runIDs: [dense], key: "loss", startStep: 9, endStep: 5, maxResults: 4) } == .invalidParameterValue)
        }
    }
}
