import CairnMonitoring

/// A monitor as the API shows it; a webhook's secret is never shown, only that there is one.
struct MonitorDTO: Encodable {
    struct Channel: Encodable {
        let type: String
        let url: String?
        let signed: Bool?
    }

    struct Action: Encodable {
        let type: String
        let pipeline: String?
        let params: [String: String]?
    }

    let name: String
    let condition: String
    let signal: String
    let threshold: Double
    let for_seconds: Int
    let window_seconds: Int
    let every_seconds: Int
    let severity: String
    let minimum_samples: Int
    let channels: [Channel]
    let actions: [Action]

    init(_ rule: MonitorRule) {
        name = rule.name
        condition = rule.condition.description
        signal = rule.condition.signal.rawValue
        threshold = rule.condition.threshold
        for_seconds = rule.condition.forSeconds
        window_seconds = rule.windowSeconds
        every_seconds = rule.everySeconds
        severity = rule.severity.rawValue
        minimum_samples = rule.minimumSamples
        channels = rule.channels.map { channel in
            switch channel {
            case .log: Channel(type: "log", url: nil, signed: nil)
            case .webhook(let url, let secret): Channel(type: "webhook", url: url, signed: secret != nil)
            }
        }
        actions = rule.actions.map { action in
            switch action {
            case .rollback: Action(type: "rollback", pipeline: nil, params: nil)
            case .runPipeline(let name, let params): Action(type: "pipeline", pipeline: name, params: params)
            }
        }
    }
}

struct AlertDTO: Encodable {
    let id: String
    let deployment: String
    let monitor: String
    let severity: String
    let condition: String
    let state: String
    let value: Double
    let threshold: Double
    let features: [String]
    let message: String
    let resolution: String?
    let actions: [String]
    let fired_at: Int64
    let resolved_at: Int64?

    init(_ alert: Alert) {
        id = alert.id
        deployment = alert.deployment
        monitor = alert.monitor
        severity = alert.severity.rawValue
        condition = alert.condition
        state = alert.state.rawValue
        value = alert.value
        threshold = alert.threshold
        features = alert.features
        message = alert.message
        resolution = alert.resolution
        actions = alert.actions
        fired_at = alert.firedAt
        resolved_at = alert.resolvedAt
    }
}

struct WindowDTO: Encodable {
    let window: String
    let requests: Int
    let errors: Int
    let error_rate: Double?
    let requests_per_second: Double
    let latency_p50_ms: Double?
    let latency_p95_ms: Double?
    let latency_p99_ms: Double?

    init(_ summary: WindowSummary) {
        window = "\(summary.seconds / 60)m"
        requests = summary.requests
        errors = summary.errors
        error_rate = summary.errorRate
        requests_per_second = summary.requestsPerSecond
        latency_p50_ms = summary.p50Milliseconds
        latency_p95_ms = summary.p95Milliseconds
        latency_p99_ms = summary.p99Milliseconds
    }
}

struct PerformanceDTO: Encodable {
    let since: Int64
    let labelled: Int
    let accuracy: Double?
    let precision: Double?
    let recall: Double?
    let rmse: Double?
    let mae: Double?
}
