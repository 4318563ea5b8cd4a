import CairnCore
import CairnHTTP
import Foundation
import Hummingbird
import NIOHTTP1

/// The gateway's public face on `cairn server`: the Open Inference Protocol under
/// `/v2/models/<deployment>`, MLflow's `/deployments/<deployment>/invocations` and KServe V1
/// `/v1/models/<deployment>:predict`, each passed to a replica of the deployment. A request's
/// `X-Cairn-Routing-Key` header (a user or session id) keeps it on one revision.
///
/// Most inference requests are answered before they reach these routes, by
/// `GatewayChannelHandler` on the connection's event loop; these routes take the rest (feature
/// lookups, requests held for a cold start, metadata, requests pipelined behind other routes).
public struct GatewayRoutes<Context: RequestContext>: Sendable {
    let gateway: DeploymentGateway

    public init(gateway: DeploymentGateway) {
        self.gateway = gateway
    }

    public func register(on router: Router<Context>) {
        router.post("/v2/models/{name}/infer") { request, context in
            let name = try context.pathParameter("name")
            return try await forward(request, to: GatewayEndpoint(deployment: name, replicaPath: "/v2/models/\(name)/infer", errors: .v2), method: .POST)
        }
        router.get("/v2/models/{name}") { request, context in
            let name = try context.pathParameter("name")
            return try await forward(request, to: GatewayEndpoint(deployment: name, replicaPath: "/v2/models/\(name)", errors: .v2), method: .GET)
        }
        router.get("/v2/models/{name}/ready") { _, context in
            let name = try context.pathParameter("name")
            switch gateway.isReady(name) {
            case nil: return Self.error(.notFound("Deployment '\(name)' does not exist."), style: .v2)
            case false?: return Self.error(CairnError(.temporarilyUnavailable, "Deployment '\(name)' has no ready replica."), style: .v2)
            case true?: return try JSONResponse.make(ReadyBody(name: name, ready: true))
            }
        }
        router.post("/deployments/{name}/invocations") { request, context in
            let name = try context.pathParameter("name")
            return try await forward(request, to: GatewayEndpoint(deployment: name, replicaPath: "/invocations", errors: .mlflow), method: .POST)
        }
        // `/v1/models/<name>:predict`: the colon is part of the one path segment.
        router.post("/v1/models/{target}") { request, context in
            let target = try context.pathParameter("target")
            guard target.hasSuffix(":predict") else { return Self.error(.notFound("Unknown KServe V1 verb in '\(target)'."), style: .v2) }
            let name = String(target.dropLast(":predict".count))
            return try await forward(request, to: GatewayEndpoint(deployment: name, replicaPath: "/v1/models/\(target)", errors: .v2), method: .POST)
        }
    }

    struct ReadyBody: Encodable {
        let name: String
        let ready: Bool
    }

    private func forward(_ request: Request, to endpoint: GatewayEndpoint, method: HTTPMethod) async throws -> Response {
        do {
            let body = method == .POST ? try await request.body.collect(upTo: GatewayEndpoint.maxBodyBytes) : nil
            // The caller's request id, or a new one: the key for joining feedback to the logged prediction.
            let requestID = GatewayRequest.requestID(given: request.headers[.requestID])
            let answer = try await gateway.forward(GatewayRequest(deployment: endpoint.deployment, path: endpoint.replicaPath, method: method,
                                                                  contentType: request.headers[.contentType], body: body,
                                                                  routingKey: request.headers[.cairnRoutingKey], requestID: requestID))
            var headers = answer.headers
            headers[.requestID] = requestID
            return Response(status: HTTPResponse.Status(code: answer.status), headers: headers, body: .init(byteBuffer: answer.body))
        } catch let error as CairnError {
            return Self.error(error, style: endpoint.errors)
        }
    }

    static func error(_ error: CairnError, style: GatewayEndpoint.ErrorStyle) -> Response {
        Response(status: HTTPResponse.Status(code: error.httpStatus), headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: GatewayEndpoint.errorBody(error, style: style)))
    }
}
