import CairnCore
import Foundation
import Synchronization

/// What the gateway saw per deployment: each revision's requests, server errors and latencies
/// since its window was last reset (canary analysis), shadow comparisons, and the requests in
/// flight averaged over time (the autoscaler's signal).
public final class TrafficStats: Sendable {
    /// One revision's requests since the window opened.
    struct RevisionWindow: Sendable {
        var requests = 0
        var errors = 0
        /// A uniform sample of latencies in seconds (reservoir of `sampleLimit`).
        var latencies: [Double] = []
        var shadowCompared = 0
        var shadowDisagreements = 0
        var shadowErrors = 0

        mutating func add(latency: Double, failed: Bool) {
            requests += 1
            if failed { errors += 1 }
            if latencies.count < TrafficStats.sampleLimit {
                latencies.append(latency)
            } else {
                var random = SplitMixRandom()
                let slot = Int.random(in: 0..<requests, using: &random)
                if slot < TrafficStats.sampleLimit { latencies[slot] = latency }
            }
        }

        var window: CanaryAnalysis.Window {
            CanaryAnalysis.Window(requests: requests, errors: errors, p95Milliseconds: Self.percentile(latencies, 0.95).map { $0 * 1000 })
        }

        static func percentile(_ values: [Double], _ fraction: Double) -> Double? {
            guard !values.isEmpty else { return nil }
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, Int((fraction * Double(sorted.count)).rounded(.up)) - 1)]
        }
    }

    /// In-flight requests of one deployment, integrated over time.
    struct Load: Sendable {
        var inFlight = 0
        var area = 0.0
        var since: Double
        var lastChange: Double

        mutating func change(by delta: Int, at time: Double) {
            area += Double(inFlight) * (time - lastChange)
            lastChange = time
            inFlight += delta
        }
    }

    public struct ShadowCounts: Sendable, Equatable {
        public var compared: Int
        public var disagreements: Int
        public var errors: Int
    }

    static let sampleLimit = 10_000
    private let windows = Mutex<[String: [Int: RevisionWindow]]>([:])
    private let loads = Mutex<[String: Load]>([:])

    public init() {}

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    func started(_ deployment: String) {
        let time = Self.now()
        loads.withLock { $0[deployment, default: Load(since: time, lastChange: time)].change(by: 1, at: time) }
    }

    func finished(_ deployment: String, revision: Int, latency: Double, failed: Bool) {
        let time = Self.now()
        loads.withLock { $0[deployment]?.change(by: -1, at: time) }
        windows.withLock { $0[deployment, default: [:]][revision, default: RevisionWindow()].add(latency: latency, failed: failed) }
    }

    func shadowed(_ deployment: String, revision: Int, latency: Double, failed: Bool, disagreed: Bool) {
        windows.withLock { all in
            var window = all[deployment, default: [:]][revision, default: RevisionWindow()]
            window.add(latency: latency, failed: failed)
            window.shadowCompared += 1
            if failed { window.shadowErrors += 1 }
            if disagreed { window.shadowDisagreements += 1 }
            all[deployment, default: [:]][revision] = window
        }
    }

    /// Each revision's requests, errors and p95 since the last reset.
    public func windows(of deployment: String) -> [Int: CanaryAnalysis.Window] {
        windows.withLock { $0[deployment, default: [:]] }.mapValues(\.window)
    }

    public func shadowCounts(of deployment: String, revision: Int) -> ShadowCounts {
        let window = windows.withLock { $0[deployment]?[revision] } ?? RevisionWindow()
        return ShadowCounts(compared: window.shadowCompared, disagreements: window.shadowDisagreements, errors: window.shadowErrors)
    }

    /// Starts new windows for every revision of `deployment` (a new canary step).
    public func reset(_ deployment: String) {
        _ = windows.withLock { $0.removeValue(forKey: deployment) }
    }

    /// The average number of requests in flight since the last call (0 without traffic).
    public func averageConcurrency(of deployment: String) -> Double {
        let time = Self.now()
        return loads.withLock { all in
            guard var load = all[deployment] else { return 0 }
            load.change(by: 0, at: time)
            let average = time > load.since ? load.area / (time - load.since) : Double(load.inFlight)
            load.area = 0
            load.since = time
            all[deployment] = load
            return average
        }
    }

    public func inFlight(of deployment: String) -> Int { loads.withLock { $0[deployment]?.inFlight ?? 0 } }

    public func forget(_ deployment: String) {
        reset(deployment)
        _ = loads.withLock { $0.removeValue(forKey: deployment) }
    }
}
