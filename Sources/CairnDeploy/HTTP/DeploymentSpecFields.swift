import CairnCore
import CairnHTTP

/// Reads a deployment's options from a request body onto a spec; fields left out keep the spec's
/// values (the defaults on create, the deployment's own on update).
enum DeploymentSpecFields {
    static func apply(_ fields: RequestFields, to spec: inout DeploymentSpec) throws {
        if let strategy = try fields.enumName("strategy", names: DeploymentSpec.Strategy.allCases.map(\.rawValue)) {
            spec.strategy = DeploymentSpec.Strategy(rawValue: strategy)!
        }
        // Without max_replicas, a deployment that did not autoscale keeps not autoscaling.
        let autoscaled = spec.autoscales
        if let replicas = try int(fields, "replicas") { spec.replicas = replicas }
        if let maxReplicas = try int(fields, "max_replicas") { spec.maxReplicas = maxReplicas } else if !autoscaled { spec.maxReplicas = spec.replicas }
        if let value = try fields.double("target_concurrency") { spec.targetConcurrency = value }
        if let value = try fields.double("stable_window_seconds") { spec.stableWindowSeconds = value }
        if let value = try fields.double("scale_to_zero_grace_seconds") { spec.scaleToZeroGraceSeconds = value }
        if let value = try int(fields, "max_batch_size") { spec.maxBatchSize = value }
        if let value = try int(fields, "max_batch_wait_ms") { spec.maxBatchWaitMilliseconds = value }
        if let value = try int(fields, "threads") { spec.threads = value }
        if let value = try fields.bool("follow_alias") { spec.followAlias = value }
        if let value = try int(fields, "ab_percent") { spec.abPercent = value }
        if let value = try int(fields, "shadow_percent") { spec.shadowPercent = value }
        if let value = try int(fields, "keep_previous_seconds") { spec.keepPreviousSeconds = value }
        if let value = try int(fields, "log_sample_percent") { spec.logSamplePercent = value }
        if let value = try int(fields, "log_retention_days") { spec.logRetentionDays = value }
        if let value = try fields.string("feature_service") { spec.featureService = value.isEmpty ? nil : value }
        if let value = try fields.string("feature_project") { spec.featureProject = value.isEmpty ? nil : value }
        if let canary = try fields.object("canary") { try apply(canary, to: &spec.canary) }
    }

    private static func apply(_ fields: RequestFields, to policy: inout CanaryPolicy) throws {
        let steps = try fields.objects("steps")
        if fields.values["steps"] != nil {
            policy.steps = try steps.map { step in
                CanaryPolicy.Step(percent: try int(step, "percent", required: true)!, seconds: try int(step, "seconds", required: true)!)
            }
        }
        if let value = try fields.double("max_error_rate_increase") { policy.maxErrorRateIncrease = value }
        if let value = try fields.double("max_latency_increase") { policy.maxLatencyIncrease = value }
        if let value = try fields.double("gate_error_rate_increase") { policy.gateErrorRateIncrease = value }
        if let value = try fields.double("gate_latency_increase") { policy.gateLatencyIncrease = value }
        if let value = try fields.double("latency_slack_ms") { policy.latencySlackMilliseconds = value }
        if let value = try int(fields, "minimum_requests") { policy.minimumRequests = value }
    }

    /// An integer field that fits an `Int` of sane size.
    static func int(_ fields: RequestFields, _ name: String, required: Bool = false) throws -> Int? {
        guard let value = try fields.int64(name, required: required) else { return nil }
        guard abs(value) <= Int64(Int32.max) else { throw CairnError.invalidParameter("\(name) is out of range (got \(value)).") }
        return Int(value)
    }
}
