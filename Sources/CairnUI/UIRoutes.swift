import CairnCore
import CairnDeploy
import CairnFeatures
import CairnHTTP
import CairnMonitoring
import CairnPipelines
import CairnRegistry
import CairnStorage
import CairnTracking
import Hummingbird

/// The web UI's pages, server-rendered HTML. Routes only read the query and call the services;
/// the page types render.
public struct UIRoutes<Context: RequestContext>: Sendable {
    let tracking: TrackingService
    let registry: RegistryService
    let database: Database
    let pipelines: PipelineService
    let deployments: DeploymentService
    let features: FeatureStoreService

    public init(tracking: TrackingService, registry: RegistryService, pipelines: PipelineService, deployments: DeploymentService,
                features: FeatureStoreService, database: Database) {
        self.tracking = tracking
        self.registry = registry
        self.pipelines = pipelines
        self.deployments = deployments
        self.features = features
        self.database = database
    }

    public func register(on router: Router<Context>) {
        page(router, "/") { form, _ in
            let filter = form["filter"]
            do {
                let page = try await tracking.searchExperiments(filter: filter, orderBy: ["name ASC"], viewType: .activeOnly, maxResults: 1000, pageToken: nil)
                return Self.html(ExperimentsPage.render(experiments: page.items, filter: filter, error: nil))
            } catch let error as CairnError where error.code == .invalidParameterValue {
                return Self.html(ExperimentsPage.render(experiments: [], filter: filter, error: error.message), status: .badRequest)
            }
        }
        page(router, "/models") { form, _ in
            let filter = form["filter"]
            do {
                let page = try await registry.searchRegisteredModels(filter: filter, orderBy: [], maxResults: 1000, pageToken: nil)
                return Self.html(ModelsPage.render(models: page.items, filter: filter, error: nil))
            } catch let error as CairnError where error.code == .invalidParameterValue {
                return Self.html(ModelsPage.render(models: [], filter: filter, error: error.message), status: .badRequest)
            }
        }
        page(router, "/models/{name}") { form, context in
            let version = try form.get("version").map { text in
                guard let number = Int64(text) else { throw CairnError.invalidParameter("Invalid version '\(text)'.") }
                return number
            }
            return Self.html(try await modelPage(name: try context.pathParameter("name"), version: version))
        }
        page(router, "/pipelines") { _, _ in
            Self.html(PipelineRunsPage.render(runs: try await pipelines.runs(pipeline: nil, status: nil, before: nil, limit: 200)))
        }
        page(router, "/deployments") { _, _ in
            var rows: [(Deployment, LiveStatus)] = []
            for deployment in try await deployments.deployments() { rows.append((deployment, try await deployments.live(deployment))) }
            return Self.html(DeploymentsPage.render(rows))
        }
        page(router, "/deployments/{name}") { _, context in
            let deployment = try await deployments.deployment(name: try context.pathParameter("name"))
            return Self.html(DeploymentPage.render(deployment, live: try await deployments.live(deployment)))
        }
        page(router, "/features") { _, _ in
            var projects: [FeaturesPage.Project] = []
            let freshness = try await features.freshness()
            for name in try await features.projects() {
                let (repository, applied) = try await features.repository(project: name)
                projects.append(.init(repository: repository, version: applied.version, appliedAt: applied.appliedAt,
                                      freshness: freshness.filter { $0.project == name },
                                      history: try await features.materializations(project: name, limit: 20).map { ($0.run, $0.finishedAt) }))
            }
            return Self.html(FeaturesPage.render(projects, now: Clock.nowMillis()))
        }
        page(router, "/deployments/{name}/monitoring") { _, context in
            let name = try context.pathParameter("name")
            let drift: Result<DriftReport, CairnError>
            do {
                drift = .success(try await deployments.drift(name: name, revision: nil, since: Clock.nowMillis() - 3_600_000, histograms: true).report)
            } catch let error as CairnError {
                drift = .failure(error)
            }
            return Self.html(MonitoringPage.render(.init(deployment: try await deployments.deployment(name: name), series: try await deployments.serviceSeries(name: name),
                                                         monitors: try await deployments.monitors(deployment: name),
                                                         alerts: try await deployments.alerts(deployment: name, firingOnly: false, limit: 50), drift: drift)))
        }
        page(router, "/pipeline-runs/{run_id}") { _, context in
            let run = try await pipelines.run(id: try context.pathParameter("run_id"))
            return Self.html(PipelineRunPage.render(run: run, dependencies: Self.dependencies(of: run)))
        }
        page(router, "/pipeline-runs/{run_id}/steps/{step}/log") { form, context in
            let run = try await pipelines.run(id: try context.pathParameter("run_id"))
            let stepKey = try context.pathParameter("step")
            guard let step = run.steps.first(where: { $0.stepKey == stepKey }) else {
                throw CairnError(.resourceDoesNotExist, "Pipeline run '\(run.runID)' has no step '\(stepKey)'.")
            }
            guard let stream = LogStream(rawValue: form.get("stream") ?? "stdout") else {
                throw CairnError.invalidParameter("Invalid stream '\(form["stream"])' (expected stdout or stderr).")
            }
            let attempt = try form.get("attempt").map { text in
                guard let number = Int(text) else { throw CairnError.invalidParameter("Invalid attempt '\(text)'.") }
                return number
            }
            let log = try await pipelines.log(runID: run.runID, stepKey: stepKey, attempt: attempt, stream: stream, offset: 0)
            return Self.html(StepLogPage.render(run: run, step: step, stream: stream, log: log))
        }
        page(router, "/compare") { form, _ in
            let ids = form.getAll("runs")
            guard ids.count >= 2 else {
                throw CairnError.invalidParameter("Select at least two runs to compare.")
            }
            return Self.html(try await comparePage(runIDs: Array(ids.prefix(ComparePage.maxRuns)), metric: form.get("metric"),
                                                   axis: try ChartAxis(query: form.get("x"))))
        }
        page(router, "/runs/{run_id}/artifacts") { form, context in
            Self.html(try await artifactsPage(runID: try context.pathParameter("run_id"),
                                              path: try ArtifactPath(validating: form["path"])))
        }
        page(router, "/runs/{run_id}") { form, context in
            Self.html(try await runPage(id: try context.pathParameter("run_id"), axis: try ChartAxis(query: form.get("x"))))
        }
        page(router, "/experiments/{experiment_id}") { form, context in
            let experiment = try await tracking.getExperiment(id: try context.pathParameter("experiment_id"))
            let columnSpecs = form.getAll("col")
            let query = RunsPage.Query(filter: form["filter"], order: form["order"],
                                       pageToken: form.get("page_token"),
                                       columns: columnSpecs.isEmpty ? nil : try columnSpecs.filter { !$0.isEmpty }.map(RunColumn.init(spec:)))
            do {
                let page = try await tracking.searchRuns(
                    experimentIDs: [experiment.experimentID], filter: query.filter, orderBy: query.order.isEmpty ? [] : [query.order],
                    viewType: .activeOnly, maxResults: Int64(RunsPage.pageSize), pageToken: query.pageToken)
                return Self.html(RunsPage.render(experiment: experiment, runs: page.items, nextPageToken: page.nextPageToken, query: query, error: nil))
            } catch let error as CairnError where error.code == .invalidParameterValue {
                return Self.html(RunsPage.render(experiment: experiment, runs: [], nextPageToken: nil, query: query, error: error.message),
                                 status: .badRequest)
            }
        }
    }

    /// The run page with up to `RunPage.maxCharts` metric histories, each read whole and drawn
    /// after LTTB downsampling.
    func runPage(id: String, axis: ChartAxis) async throws -> String {
        let run = try await tracking.getRun(id: id)
        let experiment = try await tracking.getExperiment(id: run.info.experimentID)
        let children = try await tracking.searchRuns(
            experimentIDs: [experiment.experimentID], filter: "tags.mlflow.parentRunId = '\(id)'", orderBy: [],
            viewType: .activeOnly, maxResults: 100, pageToken: nil).items
        var histories: [(key: String, points: [LTTB.Point])] = []
        for key in run.metrics.map(\.key).sorted().prefix(RunPage.maxCharts) {
            let points = axis.points(try await tracking.metricSeries(runID: id, key: key), runStart: run.info.startTime)
            histories.append((key, points))
        }
        return RunPage.render(run: run, experiment: experiment, children: children, axis: axis, histories: histories)
    }

    /// Runs side by side, with the histories of `metric` (default: the first metric any run logged).
    func comparePage(runIDs: [String], metric: String?, axis: ChartAxis) async throws -> String {
        var runs: [Run] = []
        for id in runIDs { runs.append(try await tracking.getRun(id: id)) }
        let chosen = metric ?? runs.flatMap { $0.metrics.map(\.key) }.sorted().first
        var curves: [[LTTB.Point]] = []
        if let chosen {
            for run in runs {
                curves.append(axis.points(try await tracking.metricSeries(runID: run.info.runID, key: chosen), runStart: run.info.startTime))
            }
        }
        return ComparePage.render(runs: runs, metric: chosen, axis: axis, curves: curves)
    }

    func modelPage(name: String, version: Int64?) async throws -> String {
        let model = try await registry.getRegisteredModel(name: name)
        let escapedName = name.replacingOccurrences(of: "'", with: "''")
        let versions = try await registry.searchModelVersions(
            filter: "name = '\(escapedName)'", orderBy: ["version_number DESC"], maxResults: 200_000, pageToken: nil).items
        let history = try await database.read { db in
            try await EventOutbox.list(after: 0, types: [], subjectPrefix: "models/\(name)/", limit: 500, on: db)
        }
        var selected: ModelPage.Selected?
        if let version {
            selected = ModelPage.Selected(lineage: try await registry.lineage(name: name, version: version),
                                          files: try await registry.manifest(name: name, version: version).files)
        }
        return ModelPage.render(model: model, versions: versions, policies: try await registry.policies(name: name),
                                history: history, selected: selected)
    }

    func artifactsPage(runID: String, path: ArtifactPath) async throws -> String {
        let run = try await tracking.getRun(id: runID)
        guard let root = TrackingService.proxiedPath(ofArtifactURI: run.info.artifactURI) else {
            throw CairnError.invalidParameter("Run \(runID) keeps its artifacts outside Cairn (\(run.info.artifactURI)).")
        }
        let storePath = root.appending(path)
        let store = tracking.artifacts
        let isFolder = try await store.isDirectory(storePath)
        if path.isRoot || isFolder {
            return ArtifactsPage.render(run: run, path: path, storePath: storePath, content: .folder(try await store.list(storePath)))
        }
        let artifact = try await store.stat(storePath)
        let kind = ArtifactsPage.kind(of: path.lastComponent)
        var preview = ArtifactsPage.Preview.none(reason: "No preview for this kind of file.")
        if kind == .image {
            preview = .image
        } else if kind != .binary, artifact.size > ArtifactsPage.previewLimit {
            preview = .none(reason: "Too large to preview (over \(ArtifactsPage.previewLimit >> 20) MiB).")
        } else if kind != .binary {
            var bytes = ByteBuffer()
            try await store.read(artifact) { bytes.writeImmutableBuffer($0) }
            let text = String(decoding: bytes.readableBytesView, as: UTF8.self)
            preview = kind == .csv ? .table(ArtifactsPage.csvRows(text, limit: ArtifactsPage.csvRowLimit)) : .text(text)
        }
        return ArtifactsPage.render(run: run, path: path, storePath: storePath, content: .file(artifact, preview: preview))
    }

    /// Registers a page at `path`; errors the handler throws with a status (unknown run, bad
    /// query) render as an error page with that status instead of MLflow's JSON error body.
    private func page(_ router: Router<Context>, _ path: RouterPath, handler: @escaping @Sendable (FormQuery, Context) async throws -> Response) {
        router.get(path) { request, context in
            do {
                return try await handler(FormQuery(request), context)
            } catch let error as CairnError {
                return Self.html(ErrorPage.render(error), status: HTTPResponse.Status(code: error.httpStatus))
            }
        }
    }

    /// Step name → the steps it waits for, from the spec the run was started with.
    static func dependencies(of run: PipelineRun) -> [String: [String]] {
        guard let spec = try? PipelineSpecParser.parse(yaml: run.specYAML) else { return [:] }
        return Dictionary(uniqueKeysWithValues: spec.steps.map { ($0.name, $0.dependencies) })
    }

    static func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
