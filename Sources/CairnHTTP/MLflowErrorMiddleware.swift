import CairnCore
import Hummingbird
import Logging

/// Renders every error a handler throws as MLflow's `{"error_code", "message"}` body with the
/// matching HTTP status. A 404 for an unknown route stays a plain 404 without JSON: the MLflow
/// client reads that as ENDPOINT_NOT_FOUND and falls back to another endpoint variant.
public struct MLflowErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as CairnError {
            if error.httpStatus >= 500 {
                context.logger.error("\(request.method) \(request.uri.path) failed: \(error)")
            }
            return Self.response(for: error)
        } catch let error as HTTPError {
            if error.status == .notFound { throw error }
            let code: ErrorCode = error.status == .contentTooLarge ? .invalidParameterValue : .badRequest
            return Self.response(for: CairnError(code, error.body ?? error.status.reasonPhrase, httpStatus: error.status.code))
        } catch {
            context.logger.error("\(request.method) \(request.uri.path) failed: \(String(reflecting: error))")
            return Self.response(for: .internalError("Internal error: \(error)"))
        }
    }

    public static func response(for error: CairnError) -> Response {
        let status = HTTPResponse.Status(code: error.httpStatus)
        return (try? JSONResponse.make(MLflowErrorBody(error_code: error.code.rawValue, message: error.message), status: status))
            ?? Response(status: status)
    }
}

/// MLflow's error body.
struct MLflowErrorBody: Encodable {
    let error_code: String
    let message: String
}
