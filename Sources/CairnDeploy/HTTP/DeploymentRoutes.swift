import CairnCore
import CairnHTTP
import Hummingbird

/// `/api/v1/deployments`: create, list, get, update to another version (a rollout), roll back, delete.
public struct DeploymentRoutes<Context: RequestContext>: Sendable {
    let service: DeploymentService

    public init(service: DeploymentService) {
        self.service = service
    }

    public func register(on routes: APIRoutes<Context>) {
        routes.json(.post, path: "/deployments") { fields, _, _ in
            let strategy = try fields.enumName("strategy", names: DeploymentSpec.Strategy.allCases.map(\.rawValue)).flatMap(DeploymentSpec.Strategy.init) ?? .immediate
            let spec = DeploymentSpec(
                name: try fields.requiredString("name"), modelName: try fields.requiredString("model_name"),
                modelVersion: try fields.int64("model_version"), modelAlias: try fields.string("model_alias"), strategy: strategy,
                replicas: Int(try fields.int64("replicas") ?? 1), maxBatchSize: Int(try fields.int64("max_batch_size") ?? 1),
                maxBatchWaitMilliseconds: Int(try fields.int64("max_batch_wait_ms") ?? 5), threads: Int(try fields.int64("threads") ?? 1))
            return try await output(try await service.create(spec))
        }
        routes.json(.get, path: "/deployments") { _, _, _ in
            var list: [DeploymentDTO] = []
            for deployment in try await service.deployments() {
                list.append(DeploymentDTO(deployment, replicas: await service.replicas(of: deployment.name)))
            }
            return DeploymentsOutput(deployments: list)
        }
        routes.json(.get, path: "/deployments/{name}") { _, _, context in
            try await output(try await service.deployment(name: try context.pathParameter("name")))
        }
        routes.json(.post, path: "/deployments/{name}/update") { fields, _, context in
            try await output(try await service.update(name: try context.pathParameter("name"), modelVersion: try fields.int64("model_version"),
                                                      modelAlias: try fields.string("model_alias")))
        }
        routes.json(.post, path: "/deployments/{name}/rollback") { _, _, context in
            try await output(try await service.rollback(name: try context.pathParameter("name")))
        }
        routes.json(.delete, path: "/deployments/{name}") { _, _, context in
            try await service.delete(name: try context.pathParameter("name"))
            return EmptyResponse()
        }
    }

    private func output(_ deployment: Deployment) async throws -> DeploymentOutput {
        DeploymentOutput(deployment: DeploymentDTO(deployment, replicas: await service.replicas(of: deployment.name)))
    }
}
