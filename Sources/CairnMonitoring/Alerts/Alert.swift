/// One firing of a monitor, from the check that fired it to the one that found it resolved.
public struct Alert: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case firing, resolved
    }

    public var id: String
    public var deployment: String
    public var monitor: String
    public var severity: MonitorRule.Severity
    public var condition: String
    public var state: State
    /// The signal's value at the check that fired it (and, once resolved, at the one that resolved it).
    public var value: Double
    public var threshold: Double
    /// For drift: the features that drifted.
    public var features: [String]
    public var message: String
    /// What the check that resolved it saw.
    public var resolution: String?
    /// What the monitor's actions did when it fired.
    public var actions: [String] = []
    public var firedAt: Int64
    public var resolvedAt: Int64?

    public init(id: String, deployment: String, monitor: String, severity: MonitorRule.Severity, condition: String, state: State, value: Double,
                threshold: Double, features: [String], message: String, firedAt: Int64, resolvedAt: Int64? = nil) {
        self.id = id
        self.deployment = deployment
        self.monitor = monitor
        self.severity = severity
        self.condition = condition
        self.state = state
        self.value = value
        self.threshold = threshold
        self.features = features
        self.message = message
        self.firedAt = firedAt
        self.resolvedAt = resolvedAt
    }
}
