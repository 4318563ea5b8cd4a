import CairnCore
import CairnFeatures
import CairnMonitoring
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOPosix
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

        /// The revision the split picks for `key`; when that one has no replica up right now (one
        /// restarting), another with traffic that has: availability first.
        func revision(forKey key: String?) -> Int {
            let picked = split.revision(forKey: key)
            guard !replicas[picked, default: []].contains(where: \.isReady),
                  let standIn = split.shares.first(where: { $0.percent > 0 && replicas[$0.revision, default: []].contains(where: \.isReady) }) else { return picked }
            return standIn.revision
        }

        /// Whether some revision that gets traffic has a ready replica.
        var hasReadyReplica: Bool {
            split.shares.contains { $0.percent > 0 && replicas[$0.revision, default: []].contains(where: \.isReady) }
        }
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
        /// The revision that answered, and the replica's content type, model version and retry hint.
        public var headers: HTTPFields
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
        return route.hasReadyReplica
    }

    /// Sends `request` to a replica of its deployment. Feature rows are looked up first when the
    /// deployment reads a feature service. With no replica ready at all (scaled to zero, or every
    /// one restarting) the request is held, counted as in flight so the autoscaler starts one, for
    /// up to `holdSeconds`.
    public func forward(_ request: GatewayRequest) async throws(CairnError) -> Answer {
        guard var route = routes.withLock({ $0[request.deployment] }) else { throw .notFound("Deployment '\(request.deployment)' does not exist.") }
        var request = request
        let started = TrafficStats.now()
        stats.started(request.deployment)
        do throws(CairnError) {
            if let features = route.features, request.method == .POST {
                guard request.path == "/invocations", let featureStore else {
                    throw CairnError.invalidParameter("Deployment '\(request.deployment)' reads feature service '\(features.service)': send entity rows to "
                                                      + "/deployments/\(request.deployment)/invocations as dataframe_records or dataframe_split.")
                }
                // Counted like any other failure: a feature store that fails shows in the error rate.
                request.body = try await features.enrich(request.body, store: featureStore, deployment: request.deployment)
                request.contentType = "application/json"
            }
            route = try await held(request.deployment, route: route, since: started)
        } catch {
            finished(request, revision: route.split.revision(forKey: request.routingKey), started: started, failure: error)
            throw error
        }
        do {
            return try await dispatch(request, route: route, started: started, on: MultiThreadedEventLoopGroup.singleton.next()).get()
        } catch {
            throw Self.cairnError(error)
        }
    }

    /// Sends `request` from `eventLoop` (the loop that read it) and answers on that loop, so the
    /// request never changes threads in the gateway; nil when it needs more than a replica's
    /// answer (a feature lookup, or a wait for a replica to come up), which `forward` does, or when
    /// the deployment does not exist.
    public func forwardNow(_ request: GatewayRequest, on eventLoop: any EventLoop) -> EventLoopFuture<Answer>? {
        guard let route = routes.withLock({ $0[request.deployment] }), route.features == nil || request.method != .POST, route.hasReadyReplica else { return nil }
        stats.started(request.deployment)
        return dispatch(request, route: route, started: TrafficStats.now(), on: eventLoop)
    }

    /// Picks the revision, sends the request to one of its replicas and records the outcome.
    private func dispatch(_ request: GatewayRequest, route: Route, started: Double, on eventLoop: any EventLoop) -> EventLoopFuture<Answer> {
        let revision = route.revision(forKey: request.routingKey)
        let promise = eventLoop.makePromise(of: Answer.self)
        send(request, to: route.replicas[revision, default: []], revision: revision, on: eventLoop) { result in
            switch result {
            case .success(let answer):
                let seconds = self.finished(request, revision: revision, started: started, status: answer.status)
                // The caller's answer first (on the fast path it is written right here); the log and the mirror after.
                promise.succeed(answer)
                if request.method == .POST, self.predictionLog != nil {
                    let handoff = TrafficStats.now()
                    self.log(answer, request: request, revision: revision, seconds: seconds, route: route)
                    self.metrics.handedOff(seconds: TrafficStats.now() - handoff)
                }
                if let shadow = route.shadow, shadow.revision != revision, shadow.percent > 0, Self.percentDraw() < shadow.percent {
                    self.mirror(request, answered: answer, to: shadow.revision, replicas: route.replicas[shadow.revision, default: []], on: eventLoop)
                }
            case .failure(let failure):
                self.finished(request, revision: revision, started: started, failure: failure)
                promise.fail(failure)
            }
        }
        return promise.futureResult
    }

    /// Counts a request that ended with `status` in the deployment's traffic, windows and metrics; returns its latency in seconds.
    @discardableResult
    private func finished(_ request: GatewayRequest, revision: Int, started: Double, status: Int) -> Double {
        let seconds = TrafficStats.now() - started
        stats.finished(request.deployment, revision: revision, latency: seconds, failed: status >= 500)
        windows.record(request.deployment, latency: seconds, failed: status >= 500)
        metrics.answered(request.deployment, revision: revision, status: status, seconds: seconds)
        return seconds
    }

    /// Counts a request that failed before any replica answered (always a failure for canary analysis).
    private func finished(_ request: GatewayRequest, revision: Int, started: Double, failure: CairnError) {
        let seconds = TrafficStats.now() - started
        stats.finished(request.deployment, revision: revision, latency: seconds, failed: true)
        windows.record(request.deployment, latency: seconds, failed: failure.httpStatus >= 500)
        metrics.answered(request.deployment, revision: revision, status: failure.httpStatus, seconds: seconds)
    }

    static func cairnError(_ error: any Error) -> CairnError {
        error as? CairnError ?? CairnError(.temporarilyUnavailable, "\(error)")
    }

    /// Hands the request and its answer to the prediction log: every error, and the sampled
    /// share of the rest. Only copies bytes; the write happens elsewhere.
    private func log(_ answer: Answer, request: GatewayRequest, revision: Int, seconds: Double, route: Route) {
        guard let predictionLog, answer.status >= 400 || route.logPercent >= 100 || (route.logPercent > 0 && Self.percentDraw() < route.logPercent) else { return }
        let version = answer.headers[.cairnModelVersion]
        predictionLog.offer(PredictionRecord(requestID: request.requestID, deployment: request.deployment, revision: revision, modelVersion: version,
                                             time: Clock.nowMillis(), latencyMilliseconds: seconds * 1000, status: answer.status,
                                             inputs: Self.text(request.body), outputs: Self.text(answer.body)))
    }

    /// A uniform draw from 0..<100, for sampling a share of requests.
    private static func percentDraw() -> Int {
        var random = SplitMixRandom()
        return Int.random(in: 0..<100, using: &random)
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
        while !route.hasReadyReplica {
            guard TrafficStats.now() - since < Self.holdSeconds else {
                throw CairnError(.temporarilyUnavailable, "Deployment '\(deployment)' has had no ready replica for \(Int(Self.holdSeconds)) s; retry later.")
            }
            do { try await Task.sleep(for: .milliseconds(10)) } catch { throw CairnError(.temporarilyUnavailable, "The request was cancelled.") }
            guard let current = routes.withLock({ $0[deployment] }) else { throw .notFound("Deployment '\(deployment)' does not exist.") }
            route = current
        }
        return route
    }

    /// The replica's headers passed on to the caller.
    private static let answerHeaders: [(String, HTTPField.Name)] = [("Content-Type", .contentType), ("X-Cairn-Model-Version", .cairnModelVersion),
                                                                    ("Retry-After", .retryAfter)]

    /// Tries the ready replicas of one revision in turn until one answers other than 503, then
    /// calls `completion` on `eventLoop`.
    private func send(_ request: GatewayRequest, to replicas: [Replica], revision: Int, on eventLoop: any EventLoop,
                      completion: @escaping @Sendable (Result<Answer, CairnError>) -> Void) {
        let ready = replicas.filter(\.isReady)
        guard !ready.isEmpty else {
            return completion(.failure(CairnError(.temporarilyUnavailable, "Deployment '\(request.deployment)' has no ready replica of revision \(revision) yet; retry shortly.")))
        }
        let first = turn.wrappingAdd(1, ordering: .relaxed).oldValue
        @Sendable func attempt(_ offset: Int, failures: [String], unavailable: Answer?) {
            guard offset < ready.count else {
                if let unavailable { return completion(.success(unavailable)) }
                return completion(.failure(CairnError(.temporarilyUnavailable,
                                                      "No replica of deployment '\(request.deployment)' answered (\(failures.joined(separator: "; ")))).")))
            }
            let replica = ready[(first &+ offset) % ready.count]
            replica.connections.send(on: eventLoop, method: request.method, path: request.path, contentType: request.contentType, body: request.body) { result in
                switch result {
                case .success(let response):
                    var headers = HTTPFields()
                    headers[.cairnRevision] = String(revision)
                    for (name, field) in Self.answerHeaders {
                        if let value = response.head.headers.first(name: name) { headers[field] = value }
                    }
                    let answer = Answer(status: Int(response.head.status.code), headers: headers, body: response.body)
                    // A replica that is draining or still loading says 503: the next one may take it.
                    if answer.status == 503 { attempt(offset + 1, failures: failures, unavailable: answer) } else { completion(.success(answer)) }
                case .failure(let error):
                    // Not reached (a replica that just died): inference is idempotent, try the next one.
                    attempt(offset + 1, failures: failures + ["\(replica.url): \(error)"], unavailable: unavailable)
                }
            }
        }
        attempt(0, failures: [], unavailable: nil)
    }

    /// Sends a copy of a request to the shadow revision and records whether its answer agrees
    /// with `primary`; the client never waits for it.
    private func mirror(_ request: GatewayRequest, answered primary: Answer, to revision: Int, replicas: [Replica], on eventLoop: any EventLoop) {
        guard shadowsInFlight.wrappingAdd(1, ordering: .relaxed).oldValue < Self.maxShadowsInFlight else {
            shadowsInFlight.wrappingSubtract(1, ordering: .relaxed)
            return
        }
        let started = TrafficStats.now()
        send(request, to: replicas, revision: revision, on: eventLoop) { result in
            let latency = TrafficStats.now() - started
            // Comparing parses both answers: off the event loop, which serves other requests.
            Task {
                defer { self.shadowsInFlight.wrappingSubtract(1, ordering: .relaxed) }
                let shadowAnswer = try? result.get()
                let failed = (shadowAnswer?.status ?? 503) >= 500
                let agreed = shadowAnswer.map { ShadowComparison.agree(primaryStatus: primary.status, primary: primary.body, shadowStatus: $0.status, shadow: $0.body) } ?? false
                self.stats.shadowed(request.deployment, revision: revision, latency: latency, failed: failed, disagreed: !agreed)
                self.metrics.compared(request.deployment, revision: revision, agreed: agreed)
            }
        }
    }
}
