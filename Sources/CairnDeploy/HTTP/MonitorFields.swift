import CairnCore
import CairnHTTP
import CairnMonitoring

/// Reads a monitor from a request body:
/// `{"name", "condition": "p99 > 200 ms for 5 min", "window_seconds", "every_seconds", "severity",
/// "minimum_samples", "channels": [{"type": "log"} | {"type": "webhook", "url", "secret"}],
/// "actions": [{"type": "rollback"} | {"type": "pipeline", "pipeline", "params": {…}}]}`.
enum MonitorFields {
    static func rule(_ fields: RequestFields) throws -> MonitorRule {
        let severity = try fields.enumName("severity", names: MonitorRule.Severity.allCases.map(\.rawValue)).flatMap(MonitorRule.Severity.init(rawValue:))
        let channels = fields.values["channels"] == nil ? [.log] : try fields.objects("channels").map(channel)
        return try MonitorRule(name: try fields.requiredString("name"), condition: try MonitorCondition(parsing: try fields.requiredString("condition")),
                               windowSeconds: try DeploymentSpecFields.int(fields, "window_seconds"),
                               everySeconds: try DeploymentSpecFields.int(fields, "every_seconds"), severity: severity ?? .warning,
                               minimumSamples: try DeploymentSpecFields.int(fields, "minimum_samples"),
                               channels: channels, actions: try fields.objects("actions").map(action))
    }

    static func channel(_ fields: RequestFields) throws -> AlertChannel {
        switch try fields.requiredString("type") {
        case "log": return .log
        case "webhook": return .webhook(url: try fields.requiredString("url"), secret: try fields.string("secret"))
        case let other: throw CairnError.invalidParameter("Unknown channel type '\(other)' (log or webhook).")
        }
    }

    static func action(_ fields: RequestFields) throws -> AlertAction {
        switch try fields.requiredString("type") {
        case "rollback": return .rollback
        case "pipeline":
            var params: [String: String] = [:]
            for (key, value) in try fields.object("params")?.values ?? [:] {
                switch value {
                case .string(let text): params[key] = text
                case .int(let number): params[key] = String(number)
                case .double(let number): params[key] = String(number)
                case .bool(let flag): params[key] = String(flag)
                default: throw CairnError.invalidParameter("Pipeline parameter '\(key)' must be a string, number or boolean.")
                }
            }
            return .runPipeline(name: try fields.requiredString("pipeline"), params: params)
        case let other: throw CairnError.invalidParameter("Unknown action type '\(other)' (rollback or pipeline).")
        }
    }
}
