import CairnCore
import Foundation

/// One monitor of a deployment: a condition checked on a schedule over a window of recent
/// traffic, and what happens when it fires: who is told, and what is done.
public struct MonitorRule: Codable, Sendable, Equatable {
    public enum Severity: String, Codable, Sendable, CaseIterable {
        case info, warning, critical
    }

    public var name: String
    public var condition: MonitorCondition
    /// The traffic each check looks at: the last this many seconds.
    public var windowSeconds: Int
    /// How often the condition is checked.
    public var everySeconds: Int
    public var severity: Severity
    /// Fewer requests (or labelled predictions) in the window than this: no verdict, nothing changes.
    public var minimumSamples: Int
    public var channels: [AlertChannel]
    public var actions: [AlertAction]

    public init(name: String, condition: MonitorCondition, windowSeconds: Int? = nil, everySeconds: Int? = nil, severity: Severity = .warning,
                minimumSamples: Int? = nil, channels: [AlertChannel] = [.log], actions: [AlertAction] = []) throws(CairnError) {
        self.name = name
        self.condition = condition
        self.windowSeconds = windowSeconds ?? (condition.signal.needsLabels ? 3600 : 300)
        self.everySeconds = everySeconds ?? 10
        self.severity = severity
        self.minimumSamples = minimumSamples ?? (condition.signal == .drift ? 100 : 20)
        self.channels = channels
        self.actions = actions
        try validate()
    }

    /// Windows of error rate and latency come from the last 15 minutes kept in memory; drift and
    /// labels are read from the prediction log, so they may look back further.
    static let maxServiceWindow = RollingWindows.horizonSeconds

    func validate() throws(CairnError) {
        guard !name.isEmpty, name.count <= 100, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw .invalidParameter("A monitor name is 1 to 100 letters, digits, '-', '_' or '.' (got '\(name)').")
        }
        let longest = condition.signal.needsLabels || condition.signal == .drift ? 30 * 86_400 : Self.maxServiceWindow
        guard (1...longest).contains(windowSeconds) else {
            throw .invalidParameter("window_seconds of a \(condition.signal.rawValue) monitor is between 1 and \(longest) (got \(windowSeconds)).")
        }
        guard (1...86_400).contains(everySeconds) else { throw .invalidParameter("every_seconds is between 1 and 86400 (got \(everySeconds)).") }
        guard (1...1_000_000).contains(minimumSamples) else { throw .invalidParameter("minimum_samples is between 1 and 1000000 (got \(minimumSamples)).") }
        guard !channels.isEmpty else { throw .invalidParameter("A monitor needs at least one channel (\"log\" or a webhook).") }
        for channel in channels { try channel.validate() }
        for action in actions { try action.validate() }
    }
}
