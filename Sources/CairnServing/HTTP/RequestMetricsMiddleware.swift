import Foundation
import Hummingbird

/// Counts every inference request (POST) by protocol (`v2`, `invocations`, `v1`) and status code,
/// with its latency and the number in flight.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ReplicaMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        let path = request.uri.path
        let name = path.hasPrefix("/v2/") ? "v2" : path.hasPrefix("/v1/") ? "v1" : path == "/invocations" ? "invocations" : "other"
        let started = DispatchTime.now().uptimeNanoseconds
        metrics.inFlight.increment(by: 1)
        defer { metrics.inFlight.decrement(by: 1) }
        do {
            let response = try await next(request, context)
            metrics.answered(protocol: name, status: Int(response.status.code), seconds: Self.seconds(since: started))
            return response
        } catch let error as HTTPResponseError {
            metrics.answered(protocol: name, status: Int(error.status.code), seconds: Self.seconds(since: started))
            throw error
        } catch {
            metrics.answered(protocol: name, status: 500, seconds: Self.seconds(since: started))
            throw error
        }
    }

    static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}
