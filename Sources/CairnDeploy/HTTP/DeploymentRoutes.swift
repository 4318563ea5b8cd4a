import CairnCore
import CairnHTTP
import Hummingbird

/// `/api/v1/deployments`: create, list, get, update to another version (a rollout), promote,
/// pause, resume, roll back, set traffic by hand, report A/B outcomes, delete.
public struct DeploymentRoutes<Context: RequestContext>: Sendable {
    let service: DeploymentService

    public init(service: DeploymentService) {
        self.service = service
    }

    public func register(on routes: APIRoutes<Context>) {
        routes.json(.post, path: "/deployments") { fields, _, _ in
            var spec = DeploymentSpec(name: try fields.requiredString("name"), modelName: try fields.requiredString("model_name"),
                                      modelVersion: try fields.int64("model_version"), modelAlias: try fields.string("model_alias"))
            try DeploymentSpecFields.apply(fields, to: &spec)
            return try await output(try await service.create(spec))
        }
        routes.json(.get, path: "/deployments") { _, _, _ in
            var list: [DeploymentDTO] = []
            for deployment in try await service.deployments() {
                list.append(DeploymentDTO(deployment, live: try await service.live(deployment)))
            }
            return DeploymentsOutput(deployments: list)
        }
        routes.json(.get, path: "/deployments/{name}") { _, _, context in
            try await output(try await service.deployment(name: try context.pathParameter("name")))
        }
        routes.json(.post, path: "/deployments/{name}/update") { fields, _, context in
            let name = try context.pathParameter("name")
            var spec = try await service.deployment(name: name).spec
            let version = try fields.int64("model_version"), alias = try fields.string("model_alias")
            guard version != nil || alias != nil else { throw CairnError.invalidParameter("Give a model_version or a model_alias to roll out.") }
            spec.modelVersion = version
            spec.modelAlias = alias
            try DeploymentSpecFields.apply(fields, to: &spec)
            return try await output(try await service.update(name: name, spec: spec))
        }
        routes.json(.post, path: "/deployments/{name}/promote") { _, _, context in
            try await output(try await service.promote(name: try context.pathParameter("name")))
        }
        routes.json(.post, path: "/deployments/{name}/pause") { _, _, context in
            try await output(try await service.setPaused(name: try context.pathParameter("name"), true))
        }
        routes.json(.post, path: "/deployments/{name}/resume") { _, _, context in
            try await output(try await service.setPaused(name: try context.pathParameter("name"), false))
        }
        routes.json(.post, path: "/deployments/{name}/rollback") { _, _, context in
            try await output(try await service.rollback(name: try context.pathParameter("name")))
        }
        routes.json(.post, path: "/deployments/{name}/traffic") { fields, _, context in
            guard let percents = try fields.object("percents") else { throw CairnError.invalidParameter("Give percents: {\"<revision>\": <percent>, …}.") }
            var split: [Int: Int] = [:]
            for key in percents.values.keys {
                guard let revision = Int(key), revision > 0 else { throw CairnError.invalidParameter("'\(key)' is not a revision number.") }
                split[revision] = try DeploymentSpecFields.int(percents, key, required: true)
            }
            return try await output(try await service.setTraffic(name: try context.pathParameter("name"), percents: split))
        }
        routes.json(.post, path: "/deployments/{name}/outcomes") { fields, _, context in
            guard let success = try fields.bool("success") else { throw CairnError.invalidParameter("Missing value for required parameter 'success'.") }
            let revision = try DeploymentSpecFields.int(fields, "revision")
            return OutcomeOutput(revision: try await service.recordOutcome(name: try context.pathParameter("name"), routingKey: try fields.string("routing_key"),
                                                                           revision: revision, success: success))
        }
        routes.json(.get, path: "/deployments/{name}/predictions") { fields, _, context in
            let records = try await service.predictions(name: try context.pathParameter("name"), before: try fields.int64("before"),
                                                        limit: try DeploymentSpecFields.int(fields, "limit") ?? 100)
            return PredictionsOutput(predictions: records.map {
                PredictionDTO(request_id: $0.requestID, revision: $0.revision, model_version: $0.modelVersion, time: $0.time, latency_ms: $0.latencyMilliseconds,
                              status: $0.status, inputs: $0.inputs, outputs: $0.outputs)
            })
        }
        routes.json(.delete, path: "/deployments/{name}") { _, _, context in
            try await service.delete(name: try context.pathParameter("name"))
            return EmptyResponse()
        }
    }

    private func output(_ deployment: Deployment) async throws -> DeploymentOutput {
        DeploymentOutput(deployment: DeploymentDTO(deployment, live: try await service.live(deployment)))
    }
}
