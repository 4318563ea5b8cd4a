import AsyncHTTPClient
import CairnCore
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// The data plane in `cairn server`: sends each inference request for a deployment to a ready
/// replica of the revision its traffic split picks (by routing key when the request has one),
/// over pooled connections; a replica that cannot be reached is skipped for the next one of the
/// same revision. The answer says which model version and revision produced it.
public final class DeploymentGateway: Sendable {
    struct Route: Sendable {
        var split: TrafficSplit
        var replicas: [Int: [Replica]]
    }

    public struct Answer: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: ByteBuffer
    }

    private let routes = Mutex<[String: Route]>([:])
    private let turn = Atomic<Int>(0)
    private let client: HTTPClient
    /// Largest answer passed back.
    static let maxAnswerBytes = 256 << 20

    public init() {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    deinit { try? client.syncShutdown() }

    /// Routes `deployment` by `split` to `replicas` (by revision).
    public func route(_ deployment: String, split: TrafficSplit, replicas: [Int: [Replica]]) {
        routes.withLock { $0[deployment] = Route(split: split, replicas: replicas) }
    }

    public func remove(_ deployment: String) {
        _ = routes.withLock { $0.removeValue(forKey: deployment) }
    }

    /// Whether a revision that gets traffic has a ready replica.
    public func isReady(_ deployment: String) -> Bool? {
        guard let route = routes.withLock({ $0[deployment] }) else { return nil }
        return route.split.shares.filter { $0.percent > 0 }.contains { share in route.replicas[share.revision, default: []].contains(where: \.isReady) }
    }

    /// Sends `path` (with `body`) to a replica of `deployment`.
    public func forward(_ deployment: String, path: String, method: HTTPMethod, contentType: String?, body: ByteBuffer?,
                        routingKey: String?) async throws(CairnError) -> Answer {
        guard let route = routes.withLock({ $0[deployment] }) else { throw .notFound("Deployment '\(deployment)' does not exist.") }
        let revision = route.split.revision(forKey: routingKey)
        let ready = route.replicas[revision, default: []].filter(\.isReady)
        guard !ready.isEmpty else {
            throw CairnError(.temporarilyUnavailable, "Deployment '\(deployment)' has no ready replica of revision \(revision) yet; retry shortly.")
        }
        let first = turn.wrappingAdd(1, ordering: .relaxed).oldValue
        var failures: [String] = []
        for offset in 0..<ready.count {
            let replica = ready[(first &+ offset) % ready.count]
            var request = HTTPClientRequest(url: replica.url + path)
            request.method = method
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
            if let body { request.body = .bytes(body) }
            do {
                let response = try await client.execute(request, timeout: .seconds(600))
                let answer = try await response.body.collect(upTo: Self.maxAnswerBytes)
                var headers = [("X-Cairn-Revision", String(revision))]
                for name in ["Content-Type", "X-Cairn-Model-Version", "Retry-After"] {
                    if let value = response.headers.first(name: name) { headers.append((name, value)) }
                }
                return Answer(status: Int(response.status.code), headers: headers, body: answer)
            } catch {
                // Not reached (a replica that just died): inference is idempotent, try the next one.
                failures.append("\(replica.url): \(error)")
            }
        }
        throw CairnError(.temporarilyUnavailable, "No replica of deployment '\(deployment)' answered (\(failures.joined(separator: "; "))).")
    }
}
