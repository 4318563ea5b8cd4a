import Hummingbird

/// Mounts JSON handlers under one or more path prefixes, decoding the request (query string or
/// JSON body) into `RequestFields` and encoding the answer; errors render as `{"error_code","message"}`.
public struct APIRoutes<Context: RequestContext> {
    public let router: Router<Context>
    public let prefixes: [String]

    /// An MLflow service at every prefix the MLflow client and UI call (`/api/2.0/<service>…` and
    /// `/ajax-api/2.0/<service>…`).
    public init(router: Router<Context>, service: String = "mlflow") {
        self.init(router: router, prefixes: ["/api/2.0/\(service)", "/ajax-api/2.0/\(service)"])
    }

    public init(router: Router<Context>, prefixes: [String]) {
        self.router = router
        self.prefixes = prefixes
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

    /// A JSON endpoint whose answer writes its own JSON.
    public func json<Output: JSONBodyWriting>(
        _ methods: HTTPRequest.Method..., path: String,
        _ handler: @escaping @Sendable (RequestFields, Request, Context) async throws -> Output
    ) {
        raw(methods, path: path) { request, context in
            let fields = try await MLflowRequestDecoder.fields(from: request)
            return JSONResponse.make(written: try await handler(fields, request, context))
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
