import CairnHTTP
import Prometheus

/// A replica's Prometheus series, served at its `/metrics`: requests by protocol and status
/// code with their latency, requests in flight, and, with batching, the rows per batch and the
/// rows waiting for one.
public final class ReplicaMetrics: Sendable {
    let collectors = PrometheusCollectors()
    public var registry: PrometheusCollectorRegistry { collectors.registry }
    let inFlight: Gauge
    let batchRows: ValueHistogram
    let queuedRows: Gauge

    static let buckets: [Duration] = [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
                                      .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5)]

    public init() {
        inFlight = collectors.gauge(.init(namespace: "cairn", subsystem: "replica", metricName: "requests_in_flight", unitName: "",
                                          helpText: "Inference requests the replica is working on."))
        batchRows = collectors.registry.makeValueHistogram(descriptor: .init(namespace: "cairn", subsystem: "replica", metricName: "batch", unitName: "rows",
                                                                             helpText: "Rows per prediction call when batching is on."),
                                                           buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096])
        queuedRows = collectors.gauge(.init(namespace: "cairn", subsystem: "replica", metricName: "batch_queue", unitName: "rows",
                                            helpText: "Rows waiting for the next batch."))
    }

    func answered(protocol name: String, status: Int, seconds: Double) {
        collectors.counter(.init(namespace: "cairn", subsystem: "replica", metricName: "requests", unitName: "total",
                                 helpText: "Inference requests answered, by protocol and status code."),
                           [("protocol", name), ("code", String(status))]).increment()
        collectors.durationHistogram(.init(namespace: "cairn", subsystem: "replica", metricName: "request_duration", unitName: "seconds",
                                           helpText: "Time to answer an inference request."),
                                     [("protocol", name)], buckets: Self.buckets).recordNanoseconds(Int64(seconds * 1e9))
    }
}
