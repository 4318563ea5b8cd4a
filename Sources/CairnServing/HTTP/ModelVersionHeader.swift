import Hummingbird

/// Names the model version behind every answer (`X-Cairn-Model-Version`), errors included.
public struct ModelVersionHeader<Context: RequestContext>: RouterMiddleware {
    let version: String

    public init(version: String) {
        self.version = version
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[ReplicaState.versionHeader] = version
        return response
    }
}
