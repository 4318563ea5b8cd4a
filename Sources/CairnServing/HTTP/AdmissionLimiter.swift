import Hummingbird
import Synchronization

/// Bounds the requests a replica works on at once: beyond `limit`, an inference request is
/// answered at once with 429 and `Retry-After` instead of queueing without end (and the replica
/// falling over under a burst). Health and metadata requests are never refused.
public struct AdmissionLimiter<Context: RequestContext>: RouterMiddleware {
    let limit: Int
    let inFlight: Counter

    public final class Counter: Sendable {
        let value = Atomic<Int>(0)
        public init() {}
        public var current: Int { value.load(ordering: .relaxed) }
    }

    public init(limit: Int, counter: Counter = Counter()) {
        self.limit = limit
        inFlight = counter
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        let now = inFlight.value.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue
        defer { inFlight.value.wrappingSubtract(1, ordering: .acquiringAndReleasing) }
        guard now <= limit else {
            return Response(status: .tooManyRequests,
                            headers: [.contentType: "application/json", .retryAfter: "1"],
                            body: .init(byteBuffer: ByteBuffer(string: #"{"error": "The replica is at its limit of \#(limit) requests in progress; retry shortly."}"#)))
        }
        return try await next(request, context)
    }
}
