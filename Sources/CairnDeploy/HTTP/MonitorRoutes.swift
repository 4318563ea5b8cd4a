import CairnCore
import CairnHTTP
import CairnMonitoring
import Hummingbird

/// Monitoring of a deployment under `/api/v1/deployments/<name>/`: monitors (`monitors`, POST,
/// GET, DELETE `monitors/<monitor>`), their alerts (`alerts?state=firing`), ground truth
/// (`feedback`, `performance?window_seconds=`), and rolling traffic windows (`metrics`).
public struct MonitorRoutes<Context: RequestContext>: Sendable {
    let service: DeploymentService

    public init(service: DeploymentService) {
        self.service = service
    }

    public func register(on routes: APIRoutes<Context>) {
        routes.json(.post, path: "/deployments/{name}/monitors") { fields, _, context in
            let rule = try MonitorFields.rule(fields)
            try await service.addMonitor(rule, deployment: try context.pathParameter("name"))
            return ["monitor": MonitorDTO(rule)]
        }
        routes.json(.get, path: "/deployments/{name}/monitors") { _, _, context in
            ["monitors": try await service.monitors(deployment: try context.pathParameter("name")).map(MonitorDTO.init)]
        }
        routes.json(.delete, path: "/deployments/{name}/monitors/{monitor}") { _, _, context in
            try await service.deleteMonitor(try context.pathParameter("monitor"), deployment: try context.pathParameter("name"))
            return EmptyResponse()
        }
        routes.json(.get, path: "/deployments/{name}/alerts") { fields, _, context in
            ["alerts": try await alerts(fields, deployment: try context.pathParameter("name"))]
        }
        routes.json(.get, path: "/alerts") { fields, _, _ in
            ["alerts": try await alerts(fields, deployment: nil)]
        }
        routes.json(.post, path: "/deployments/{name}/feedback") { fields, _, context in
            let entries = fields.values["feedback"] == nil ? [fields] : try fields.objects("feedback")
            let labels = try entries.map { entry in (requestID: try entry.requiredString("request_id"), labels: try Self.labels(entry)) }
            try await service.recordFeedback(name: try context.pathParameter("name"), labels: labels)
            return ["recorded": labels.count]
        }
        routes.json(.get, path: "/deployments/{name}/performance") { fields, _, context in
            let window = try DeploymentSpecFields.int(fields, "window_seconds") ?? 3600
            guard window > 0 else { throw CairnError.invalidParameter("window_seconds must be positive (got \(window)).") }
            let since = try fields.int64("since") ?? Clock.nowMillis() - Int64(window) * 1000
            let result = try await service.performance(name: try context.pathParameter("name"), since: since, positive: try fields.string("positive") ?? "1")
            return ["performance": PerformanceDTO(since: since, labelled: result.labelled, accuracy: result.accuracy, precision: result.precision,
                                                  recall: result.recall, rmse: result.rmse, mae: result.mae)]
        }
        routes.json(.get, path: "/deployments/{name}/metrics") { _, _, context in
            ["windows": try await service.serviceWindows(name: try context.pathParameter("name")).map(WindowDTO.init)]
        }
    }

    private func alerts(_ fields: RequestFields, deployment: String?) async throws -> [AlertDTO] {
        let state = try fields.enumName("state", names: ["firing", "resolved"])
        let alerts = try await service.alerts(deployment: deployment, firingOnly: state == "firing",
                                              limit: try DeploymentSpecFields.int(fields, "limit") ?? 100)
        return alerts.filter { state == nil || $0.state.rawValue == state }.map(AlertDTO.init)
    }

    /// `label` (one prediction) or `labels` (one per prediction of the request): numbers or strings.
    static func labels(_ entry: RequestFields) throws -> [ReferenceDataset.Value] {
        let given: [JSONValue]
        switch (entry.values["label"], entry.values["labels"]) {
        case (let label?, nil): given = [label]
        case (nil, .array(let list)?) where !list.isEmpty: given = list
        default: throw CairnError.invalidParameter("Give either 'label' (one prediction) or 'labels' (a non-empty list, one per prediction) for each request_id.")
        }
        return try given.map { value in
            guard let label = value.datasetValue else { throw CairnError.invalidParameter("A label is a number or a string (got \(value)).") }
            return label
        }
    }
}
