import CairnCore
import CairnHTTP
import Foundation
import Hummingbird
import NIOHTTP1

/// The gateway's public face on `cairn server`: the Open Inference Protocol under
/// `/v2/models/<deployment>`, MLflow's `/deployments/<deployment>/invocations` and KServe V1
/// `/v1/models/<deployment>:predict`, each passed to a replica of the deployment. A request's
/// `X-Cairn-Routing-Key` header (a user or session id) keeps it on one revision.
public struct GatewayRoutes<Context: RequestContext>: Sendable {
    let gateway: DeploymentGateway
    static var routingKeyHeader: HTTPFields.Element.Name { HTTPFields.Element.Name("X-Cairn-Routing-Key")! }
    static var requestIDHeader: HTTPFields.Element.Name { HTTPFields.Element.Name("X-Request-Id")! }
    /// Largest request body passed on.
    static var maxBodyBytes: Int { 64 << 20 }

    public init(gateway: DeploymentGateway) {
        self.gateway = gateway
    }

    public func register(on router: Router<Context>) {
        router.post("/v2/models/{name}/infer") { request, context in
            let name = try context.pathParameter("name")
            return try await forward(request, deployment: name, path: "/v2/models/\(name)/infer", method: .POST, v2Errors: true)
        }
        router.get("/v2/models/{name}") { request, context in
            let name = try context.pathParameter("name")
            return try await forward(request, deployment: name, path: "/v2/models/\(name)", method: .GET, v2Errors: true)
        }
        router.get("/v2/models/{name}/ready") { _, context in
            let name = try context.pathParameter("name")
            switch gateway.isReady(name) {
            case nil: return try Self.v2Error("Deployment '\(name)' does not exist.", status: .notFound)
            case false?: return try Self.v2Error("Deployment '\(name)' has no ready replica.", status: .serviceUnavailable)
            case true?: return try JSONResponse.make(ReadyBody(name: name, ready: true))
            }
        }
        router.post("/deployments/{name}/invocations") { request, context in
            try await forward(request, deployment: try context.pathParameter("name"), path: "/invocations", method: .POST, v2Errors: false)
        }
        // `/v1/models/<name>:predict`: the colon is part of the one path segment.
        router.post("/v1/models/{target}") { request, context in
            let target = try context.pathParameter("target")
            guard target.hasSuffix(":predict") else { return try Self.v2Error("Unknown KServe V1 verb in '\(target)'.", status: .notFound) }
            return try await forward(request, deployment: String(target.dropLast(":predict".count)), path: "/v1/models/\(target)", method: .POST, v2Errors: true)
        }
    }

    struct ReadyBody: Encodable {
        let name: String
        let ready: Bool
    }

    struct V2ErrorBody: Encodable {
        let error: String
    }

    private func forward(_ request: Request, deployment: String, path: String, method: HTTPMethod, v2Errors: Bool) async throws -> Response {
        do {
            let body = method == .POST ? try await request.body.collect(upTo: Self.maxBodyBytes) : nil
            // The caller's request id, or a new one: the key for joining feedback to the logged prediction.
            let requestID = request.headers[Self.requestIDHeader].flatMap { $0.isEmpty || $0.count > 128 ? nil : $0 } ?? UUID().uuidString.lowercased()
            let answer = try await gateway.forward(deployment, path: path, method: method, contentType: request.headers[.contentType], body: body,
                                                   routingKey: request.headers[Self.routingKeyHeader], requestID: requestID)
            var headers = HTTPFields()
            headers[Self.requestIDHeader] = requestID
            for (name, value) in answer.headers { if let field = HTTPFields.Element.Name(name) { headers[field] = value } }
            return Response(status: HTTPResponse.Status(code: answer.status), headers: headers, body: .init(byteBuffer: answer.body))
        } catch let error as CairnError {
            let status = HTTPResponse.Status(code: error.httpStatus)
            return v2Errors ? try Self.v2Error(error.message, status: status) : try JSONResponse.make(ErrorBody(error_code: error.code.rawValue, message: error.message), status: status)
        }
    }

    struct ErrorBody: Encodable {
        let error_code: String
        let message: String
    }

    static func v2Error(_ message: String, status: HTTPResponse.Status) throws -> Response {
        try JSONResponse.make(V2ErrorBody(error: message), status: status)
    }
}
