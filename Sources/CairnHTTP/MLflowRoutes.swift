import Hummingbird

/// Mounts a handler at every prefix the MLflow client and UI call (`/api/2.0/mlflow…` and
/// `/ajax-api/2.0/mlflow…`), decoding the request into `RequestFields` and encoding the answer.
public struct MLflowRoutes<Context: RequestContext> {
    public let router: Router<Context>
    public let prefixes: [String]

    public init(router: Router<Context>, service: String = "mlflow") {
        self.router = router
        self.prefixes = ["/api/2.0/\(service)", "/ajax-api/2.0/\(service)"]
    }

    /// A JSON endpoint: fields in, an `Encodable` out.
    public func json<Output: Encodable & Sendable>(
        _ methods: HTTPRequest.Method..., path: String,
        _ handler: @escaping @Sendable (RequestFields, Request, Context) async throws -> Output
    ) {
        raw(methods, path: path) { request, context in
            let fields = try await MLflowRequestDecoder.fields(from: request)
            return try JSONResponse.make(try await handler(fields, request, context))
        }
    }

    /// An endpoint that builds its own response (file downloads, uploads).
    public func raw(
        _ methods: [HTTPRequest.Method], path: String,
        _ handler: @escaping @Sendable (Request, Context) async throws -> Response
    ) {
        for prefix in prefixes {
            for method in methods {
                router.on(RouterPath(prefix + path), method: method) { request, context in
                    try await handler(request, context)
                }
            }
        }
    }
}
