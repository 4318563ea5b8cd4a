import CairnCore
import CairnFeatures
import CairnMonitoring
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// The data plane in `cairn server`: sends each inference request for a deployment to a ready
/// replica of the revision its traffic split picks (by routing key when the request has one),
/// over keep-alive connections. A replica that cannot be reached, or answers that it is not ready, is
/// skipped for the next one of the same revision. Every answer is counted per revision (for
/// canary analysis and autoscaling), a share may be mirrored to a shadow revision, and the answer
/// says which revision produced it.
public final class DeploymentGateway: Sendable {
    struct Route: Sendable {
        var split: TrafficSplit
        var replicas: [Int: [Replica]]
        var shadow: Shadow?
        /// The share of successful requests logged (errors are always logged).
        var logPercent: Int
        /// Where the model's features come from, when the request carries entity keys.
        var features: FeatureEnrichment?
    }

    /// Mirror `percent` of requests to `revision` and compare its answers.
    public struct Shadow: Sendable {
        public var revision: Int
        public var percent: Int

        public init(revision: Int, percent: Int) {
            self.revision = revision
            self.percent = percent
        }
    }

    public struct Answer: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: ByteBuffer
    }

    private let routes = Mutex<[String: Route]>([:])
    private let turn = Atomic<Int>(0)
    private let shadowsInFlight = Atomic<Int>(0)
    public let stats = TrafficStats()
    /// Requests, errors and latencies per deployment over the last 15 minutes.
    public let windows = RollingWindows()
    public let metrics: GatewayMetrics
    /// Where answered requests are logged, if anywhere.
    public let predictionLog: PredictionLogger?
    /// The feature store deployments with a feature service read from.
    public let featureStore: FeatureStoreService?
    /// Mirrored requests beyond this many in flight are not sent (the shadow must never slow the primary).
    static let maxShadowsInFlight = 64

    public init(metrics: GatewayMetrics, predictionLog: PredictionLogger?, featureStore: FeatureStoreService? = nil) {
        self.metrics = metrics
        self.predictionLog = predictionLog
        self.featureStore = featureStore
    }

    /// Routes `deployment` by `split` to `replicas` (by revision), mirroring to `shadow` if given,
    /// logging `logPercent` of successful requests.
    func route(_ deployment: String, split: TrafficSplit, replicas: [Int: [Replica]], shadow: Shadow? = nil, logPercent: Int = 100,
               features: FeatureEnrichment? = nil) {
        routes.withLock { $0[deployment] = Route(split: split, replicas: replicas, shadow: shadow, logPercent: logPercent, features: features) }
    }

    /// Keeps `deployment`'s split and shadow, with these replicas.
    func updateReplicas(_ deployment: String, _ replicas: [Int: [Replica]]) {
        routes.withLock { $0[deployment]?.replicas = replicas }
    }

    public func remove(_ deployment: String) {
        _ = routes.withLock { $0.removeValue(forKey: deployment) }
        stats.forget(deployment)
        windows.forget(deployment)
    }

    /// Whether a revision that gets traffic has a ready replica.
    public func isReady(_ deployment: String) -> Bool? {
        guard let route = routes.withLock({ $0[deployment] }) else { return nil }
        return route.split.shares.filter { $0.percent > 0 }.contains { share in route.replicas[share.revision, default: []].contains(where: \.isReady) }
    }

    /// Sends `path` (with `body`) to a replica of `deployment`. With no replica ready at all
    /// (scaled to zero, or every one restarting) the request is held, counted as in flight so
    /// the autoscaler starts one, for up to `holdSeconds`.
    public func forward(_ deployment: String, path: String, method: HTTPMethod, contentType: String?, body given: ByteBuffer?,
                        routingKey: String?, requestID: String) async throws(CairnError) -> Answer {
        guard var route = routes.withLock({ $0[deployment] }) else { throw .notFound("Deployment '\(deployment)' does not exist.") }
        var body = given
        var contentType = contentType
        let started = TrafficStats.now()
        stats.started(deployment)
        var revision = route.split.revision(forKey: routingKey)
        do throws(CairnError) {
            if let features = route.features, method == .POST {
                guard path == "/invocations", let featureStore else {
                    throw CairnError.invalidParameter("Deployment '\(deployment)' reads feature service '\(features.service)': send entity rows to "
                                                      + "/deployments/\(deployment)/invocations as dataframe_records or dataframe_split.")
                }
                // Counted like any other failure: a feature store that fails shows in the error rate.
                body = try await features.enrich(given, store: featureStore, deployment: deployment)
                contentType = "application/json"
            }
            route = try await held(deployment, route: route, since: started)
            if !route.replicas[revision, default: []].contains(where: \.isReady),
               let standIn = route.split.shares.first(where: { $0.percent > 0 && route.replicas[$0.revision, default: []].contains(where: \.isReady) }) {
                // The picked revision has no replica up right now (one restarting): availability first.
                revision = standIn.revision
            }
            let answer = try await send(to: route.replicas[revision, default: []], revision: revision, deployment: deployment, path: path,
                                        method: method, contentType: contentType, body: body)
            let seconds = TrafficStats.now() - started
            stats.finished(deployment, revision: revision, latency: seconds, failed: answer.status >= 500)
            windows.record(deployment, latency: seconds, failed: answer.status >= 500)
            metrics.answered(deployment, revision: revision, status: answer.status, seconds: seconds)
            if method == .POST, predictionLog != nil {
                let handoff = TrafficStats.now()
                log(answer, deployment: deployment, revision: revision, requestID: requestID, body: body, seconds: seconds, route: route)
                metrics.handedOff(seconds: TrafficStats.now() - handoff)
            }
            if let shadow = route.shadow, shadow.revision != revision, Int.random(in: 0..<100) < shadow.percent {
                mirror(answer, to: shadow.revision, replicas: route.replicas[shadow.revision, default: []], deployment: deployment, path: path,
                       method: method, contentType: contentType, body: body)
            }
            return answer
        } catch {
            let seconds = TrafficStats.now() - started
            stats.finished(deployment, revision: revision, latency: seconds, failed: true)
            windows.record(deployment, latency: seconds, failed: error.httpStatus >= 500)
            metrics.answered(deployment, revision: revision, status: error.httpStatus, seconds: seconds)
            throw error
        }
    }

    /// Hands the request and its answer to the prediction log: every error, and the sampled
    /// share of the rest. Only copies bytes; the write happens elsewhere.
    private func log(_ answer: Answer, deployment: String, revision: Int, requestID: String, body: ByteBuffer?, seconds: Double, route: Route) {
        guard let predictionLog, answer.status >= 400 || route.logPercent >= 100 || Int.random(in: 0..<100) < route.logPercent else { return }
        let version = answer.headers.first { $0.0 == "X-Cairn-Model-Version" }?.1
        predictionLog.offer(PredictionRecord(requestID: requestID, deployment: deployment, revision: revision, modelVersion: version,
                                             time: Clock.nowMillis(), latencyMilliseconds: seconds * 1000, status: answer.status,
                                             inputs: Self.text(body), outputs: Self.text(answer.body)))
    }

    static func text(_ buffer: ByteBuffer?) -> String {
        guard let buffer else { return "" }
        return String(decoding: buffer.readableBytesView.prefix(PredictionRecord.maxBodyBytes), as: UTF8.self)
    }

    /// Longest a request waits for a replica when none is ready (a cold start from zero).
    static let holdSeconds = 120.0

    /// The route once some revision with traffic has a ready replica.
    private func held(_ deployment: String, route: Route, since: Double) async throws(CairnError) -> Route {
        var route = route
        while !route.split.shares.contains(where: { $0.percent > 0 && route.replicas[$0.revision, default: []].contains(where: \.isReady) }) {
            guard TrafficStats.now() - since < Self.holdSeconds else {
                throw CairnError(.temporarilyUnavailable, "Deployment '\(deployment)' has had no ready replica for \(Int(Self.holdSeconds)) s; retry later.")
            }
            do { try await Task.sleep(for: .milliseconds(10)) } catch { throw CairnError(.temporarilyUnavailable, "The request was cancelled.") }
            guard let current = routes.withLock({ $0[deployment] }) else { throw .notFound("Deployment '\(deployment)' does not exist.") }
            route = current
        }
        return route
    }

    /// Tries the ready replicas of one revision in turn until one answers other than 503.
    private func send(to replicas: [Replica], revision: Int, deployment: String, path: String, method: HTTPMethod, contentType: String?,
                      body: ByteBuffer?) async throws(CairnError) -> Answer {
        let ready = replicas.filter(\.isReady)
        guard !ready.isEmpty else {
            throw CairnError(.temporarilyUnavailable, "Deployment '\(deployment)' has no ready replica of revision \(revision) yet; retry shortly.")
        }
        let first = turn.wrappingAdd(1, ordering: .relaxed).oldValue
        var failures: [String] = []
        var unavailable: Answer?
        for offset in 0..<ready.count {
            let replica = ready[(first &+ offset) % ready.count]
            do {
                let response = try await replica.connections.send(method: method, path: path, contentType: contentType, body: body)
                var headers = [("X-Cairn-Revision", String(revision))]
                for name in ["Content-Type", "X-Cairn-Model-Version", "Retry-After"] {
                    if let value = response.head.headers.first(name: name) { headers.append((name, value)) }
                }
                let answer = Answer(status: Int(response.head.status.code), headers: headers, body: response.body)
                // A replica that is draining or still loading says 503: the next one may take it.
                guard answer.status == 503 else { return answer }
                unavailable = answer
            } catch {
                // Not reached (a replica that just died): inference is idempotent, try the next one.
                failures.append("\(replica.url): \(error)")
            }
        }
        if let unavailable { return unavailable }
        throw CairnError(.temporarilyUnavailable, "No replica of deployment '\(deployment)' answered (\(failures.joined(separator: "; "))).")
    }

    /// Sends a copy of a request to the shadow revision in the background and records whether
    /// its answer agrees with `primary`; the client never waits for it.
    private func mirror(_ primary: Answer, to revision: Int, replicas: [Replica], deployment: String, path: String, method: HTTPMethod,
                        contentType: String?, body: ByteBuffer?) {
        guard shadowsInFlight.wrappingAdd(1, ordering: .relaxed).oldValue < Self.maxShadowsInFlight else {
            shadowsInFlight.wrappingSubtract(1, ordering: .relaxed)
            return
        }
        Task {
            defer { shadowsInFlight.wrappingSubtract(1, ordering: .relaxed) }
            let started = TrafficStats.now()
            let shadowAnswer = try? await send(to: replicas, revision: revision, deployment: deployment, path: path, method: method,
                                               contentType: contentType, body: body)
            let failed = (shadowAnswer?.status ?? 503) >= 500
            let agreed = shadowAnswer.map { ShadowComparison.agree(primaryStatus: primary.status, primary: primary.body, shadowStatus: $0.status, shadow: $0.body) } ?? false
            stats.shadowed(deployment, revision: revision, latency: TrafficStats.now() - started, failed: failed, disagreed: !agreed)
            metrics.compared(deployment, revision: revision, agreed: agreed)
        }
    }
}
