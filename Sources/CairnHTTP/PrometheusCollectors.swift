import Prometheus
import Synchronization

/// The collectors of one registry, each made once per name and label set and then kept, so a
/// request only looks one up.
public final class PrometheusCollectors: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let counters = Mutex<[String: Counter]>([:])
    private let gauges = Mutex<[String: Gauge]>([:])
    private let histograms = Mutex<[String: DurationHistogram]>([:])

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    public func counter(_ descriptor: MetricNameDescriptor, _ labels: [(String, String)] = []) -> Counter {
        Self.cached(counters, Self.key(descriptor, labels)) { registry.makeCounter(descriptor: descriptor, labels: labels) }
    }

    public func gauge(_ descriptor: MetricNameDescriptor, _ labels: [(String, String)] = []) -> Gauge {
        Self.cached(gauges, Self.key(descriptor, labels)) { registry.makeGauge(descriptor: descriptor, labels: labels) }
    }

    public func durationHistogram(_ descriptor: MetricNameDescriptor, _ labels: [(String, String)] = [], buckets: [Duration]) -> DurationHistogram {
        Self.cached(histograms, Self.key(descriptor, labels)) { registry.makeDurationHistogram(descriptor: descriptor, labels: labels, buckets: buckets) }
    }

    private static func cached<Collector>(_ cache: borrowing Mutex<[String: Collector]>, _ key: String, make: () -> Collector) -> Collector {
        cache.withLock { all in
            if let existing = all[key] { return existing }
            let made = make()
            all[key] = made
            return made
        }
    }

    private static func key(_ descriptor: MetricNameDescriptor, _ labels: [(String, String)]) -> String {
        ([descriptor.name] + labels.map { $0.0 + "=" + $0.1 }).joined(separator: "\u{0}")
    }
}
