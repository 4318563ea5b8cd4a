import Foundation
import Synchronization

/// Each deployment's requests, server errors and latencies per second for the last 15 minutes,
/// from which any window up to that long is summed: the 1-, 5- and 15-minute windows of the API
/// and the windows monitors look at. Recording is a lock and a few increments.
public final class RollingWindows: Sendable {
    public static let horizonSeconds = 900

    struct Second: Sendable {
        var epoch: Int64 = -1
        var requests = 0
        var errors = 0
        var latencies = [Int](repeating: 0, count: LatencyBuckets.count)

        mutating func reset(to epoch: Int64) {
            self.epoch = epoch
            requests = 0
            errors = 0
            for index in latencies.indices { latencies[index] = 0 }
        }
    }

    private let seconds = Mutex<[String: [Second]]>([:])
    private let clock: @Sendable () -> Int64

    /// `clock` gives the current second (the wall clock's by default; tests move their own).
    public init(clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.clock = clock
    }

    public func record(_ key: String, latency: Double, failed: Bool) {
        let now = clock()
        let bucket = LatencyBuckets.index(of: latency)
        seconds.withLock { all in
            let slot = Int(now % Int64(Self.horizonSeconds))
            if all[key] == nil { all[key] = Array(repeating: Second(), count: Self.horizonSeconds) }
            all[key]!.withUnsafeMutableBufferPointer { ring in
                if ring[slot].epoch != now { ring[slot].reset(to: now) }
                ring[slot].requests += 1
                if failed { ring[slot].errors += 1 }
                ring[slot].latencies[bucket] += 1
            }
        }
    }

    /// The last `windowSeconds` (at most 15 minutes) of `key`, this second included.
    public func summary(_ key: String, seconds windowSeconds: Int) -> WindowSummary {
        series(key, spanSeconds: min(windowSeconds, Self.horizonSeconds), count: 1)[0].summary
    }

    /// The last `count` spans of `spanSeconds` each, oldest first, with the second each one starts.
    public func series(_ key: String, spanSeconds: Int, count: Int) -> [(start: Int64, summary: WindowSummary)] {
        let now = clock()
        let span = Int64(max(1, spanSeconds))
        var spans = (0..<count).map { index in
            (start: now - span * Int64(count - index) + 1, counts: (requests: 0, errors: 0), latencies: [Int](repeating: 0, count: LatencyBuckets.count))
        }
        seconds.withLock { all in
            guard let ring = all[key] else { return }
            for second in ring where second.epoch >= 0 && second.epoch <= now {
                let index = count - 1 - Int((now - second.epoch) / span)
                guard index >= 0 else { continue }
                spans[index].counts.requests += second.requests
                spans[index].counts.errors += second.errors
                for (bucket, hits) in second.latencies.enumerated() where hits > 0 { spans[index].latencies[bucket] += hits }
            }
        }
        return spans.map { entry in
            (entry.start, WindowSummary(seconds: Int(span), requests: entry.counts.requests, errors: entry.counts.errors,
                                        p50Milliseconds: LatencyBuckets.quantile(0.50, of: entry.latencies).map { $0 * 1000 },
                                        p95Milliseconds: LatencyBuckets.quantile(0.95, of: entry.latencies).map { $0 * 1000 },
                                        p99Milliseconds: LatencyBuckets.quantile(0.99, of: entry.latencies).map { $0 * 1000 }))
        }
    }

    public func forget(_ key: String) {
        _ = seconds.withLock { $0.removeValue(forKey: key) }
    }
}
