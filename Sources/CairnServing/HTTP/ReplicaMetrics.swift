import Prometheus
import Synchronization

/// A replica's Prometheus series, served at its `/metrics`: requests by protocol and status
/// code with their latency, requests in flight, and, with batching, the rows per batch and the
/// rows waiting for one.
public final class ReplicaMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let counters = Mutex<[String: Counter]>([:])
    private let histograms = Mutex<[String: DurationHistogram]>([:])
    let inFlight: Gauge
    let batchRows: ValueHistogram
    let queuedRows: Gauge

    static let buckets: [Duration] = [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
                                      .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5)]

    public init() {
        inFlight = registry.makeGauge(descriptor: .init(namespace: "cairn", subsystem: "replica", metricName: "requests_in_flight", unitName: "",
                                                        helpText: "Inference requests the replica is working on."))
        batchRows = registry.makeValueHistogram(descriptor: .init(namespace: "cairn", subsystem: "replica", metricName: "batch", unitName: "rows",
                                                                  helpText: "Rows per prediction call when batching is on."),
                                                buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096])
        queuedRows = registry.makeGauge(descriptor: .init(namespace: "cairn", subsystem: "replica", metricName: "batch_queue", unitName: "rows",
                                                          helpText: "Rows waiting for the next batch."))
    }

    func answered(protocol name: String, status: Int, seconds: Double) {
        let key = name + "\u{0}" + String(status)
        counters.withLock { all in
            if let existing = all[key] { return existing }
            let made = registry.makeCounter(descriptor: .init(namespace: "cairn", subsystem: "replica", metricName: "requests", unitName: "total",
                                                              helpText: "Inference requests answered, by protocol and status code."),
                                            labels: [("protocol", name), ("code", String(status))])
            all[key] = made
            return made
        }.increment()
        histograms.withLock { all in
            if let existing = all[name] { return existing }
            let made = registry.makeDurationHistogram(descriptor: .init(namespace: "cairn", subsystem: "replica", metricName: "request_duration",
                                                                        unitName: "seconds", helpText: "Time to answer an inference request."),
                                                      labels: [("protocol", name)], buckets: Self.buckets)
            all[name] = made
            return made
        }.recordNanoseconds(Int64(seconds * 1e9))
    }
}
