import CairnHTTP
import CairnMonitoring
import Prometheus
import Synchronization

/// The gateway's Prometheus series: requests by deployment, revision and status code, their
/// latency and shadow comparisons, counted as they happen; requests in flight, replicas and
/// traffic shares per revision, set by the control loop.
public final class GatewayMetrics: Sendable {
    let collectors: PrometheusCollectors
    /// Made once: it is recorded on every logged request.
    let handoff: DurationHistogram
    /// The series `answered` records to, found by a plain key: it runs on every request.
    private let answeredSeries = Mutex<[AnsweredKey: AnsweredSeries]>([:])

    private struct AnsweredKey: Hashable {
        let deployment: String
        let revision: Int
        let status: Int
    }

    private struct AnsweredSeries {
        let requests: Counter
        let duration: DurationHistogram
    }

    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "cairn", subsystem: "gateway", metricName: "requests", unitName: "total",
                             helpText: "Inference requests answered through the gateway, by deployment, revision and status code.")
    }
    static var duration: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "cairn", subsystem: "gateway", metricName: "request_duration", unitName: "seconds",
                             helpText: "Time from the request reaching the gateway to its answer, replica time included.")
    }
    static var inFlight: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "cairn", subsystem: "gateway", metricName: "requests_in_flight", unitName: "",
                             helpText: "Requests the gateway holds now, by deployment.")
    }
    static var shadow: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "cairn", subsystem: "gateway", metricName: "shadow_comparisons", unitName: "total",
                                             helpText: "Mirrored requests compared, by deployment, shadow revision and whether the answers agreed.")
    }
    static var replicas: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "cairn", subsystem: "deployment", metricName: "replicas", unitName: "",
                             helpText: "Replicas per deployment revision, by state (ready or starting).")
    }
    static var traffic: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "cairn", subsystem: "deployment", metricName: "traffic", unitName: "percent",
                                              helpText: "Each revision's share of a deployment's traffic.")
    }
    static var logRecords: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "cairn", subsystem: "prediction_log", metricName: "records", unitName: "",
                             helpText: "Prediction log records since the server started: written, dropped (queue full), failed (write error) and queued.")
    }
    static var logHandoff: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "cairn", subsystem: "prediction_log", metricName: "handoff", unitName: "seconds",
                             helpText: "Time a request spends handing its record to the prediction log (copying the bodies and queueing).")
    }
    static let handoffBuckets: [Duration] = [.microseconds(1), .microseconds(2), .microseconds(5), .microseconds(10), .microseconds(20), .microseconds(30), .microseconds(40),
                                             .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1)]
    static let buckets: [Duration] = [.microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                      .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
                                      .seconds(5), .seconds(10)]

    public init(registry: PrometheusCollectorRegistry) {
        collectors = PrometheusCollectors(registry: registry)
        handoff = collectors.durationHistogram(Self.logHandoff, buckets: Self.handoffBuckets)
    }

    func answered(_ deployment: String, revision: Int, status: Int, seconds: Double) {
        let key = AnsweredKey(deployment: deployment, revision: revision, status: status)
        let series = answeredSeries.withLock { $0[key] } ?? {
            let labels = [("deployment", deployment), ("revision", String(revision))]
            let made = AnsweredSeries(requests: collectors.counter(Self.requests, labels + [("code", String(status))]),
                                      duration: collectors.durationHistogram(Self.duration, labels, buckets: Self.buckets))
            answeredSeries.withLock { $0[key] = made }
            return made
        }()
        series.requests.increment()
        series.duration.recordNanoseconds(Int64(seconds * 1e9))
    }

    func handedOff(seconds: Double) {
        handoff.recordNanoseconds(Int64(seconds * 1e9))
    }

    func compared(_ deployment: String, revision: Int, agreed: Bool) {
        collectors.counter(Self.shadow, [("deployment", deployment), ("revision", String(revision)), ("agreed", String(agreed))]).increment()
    }

    /// Sets the in-flight, replica and traffic gauges of `deployment` from its current state.
    func describe(_ deployment: Deployment, replicas: [Int: [Replica]], inFlight: Int) {
        gauge(Self.inFlight, [("deployment", deployment.name)]).set(to: Double(inFlight))
        for revision in deployment.revisions {
            let labels = [("deployment", deployment.name), ("revision", String(revision.number))]
            let running = replicas[revision.number, default: []]
            let ready = running.filter(\.isReady).count
            gauge(Self.replicas, labels + [("state", "ready")]).set(to: Double(ready))
            gauge(Self.replicas, labels + [("state", "starting")]).set(to: Double(running.count - ready))
            gauge(Self.traffic, labels).set(to: Double(revision.percent))
        }
    }

    /// Sets the prediction log gauges.
    func describeLog(_ counts: PredictionLogger.Counts) {
        for (state, value) in [("written", counts.written), ("dropped", counts.dropped), ("failed", counts.failed), ("queued", counts.queued)] {
            gauge(Self.logRecords, [("state", state)]).set(to: Double(value))
        }
    }

    private func gauge(_ descriptor: MetricNameDescriptor, _ labels: [(String, String)]) -> Gauge {
        collectors.gauge(descriptor, labels)
    }
}
