import ArgumentParser

/// The deployment options `cairn deploy create` and `update` share; each left out keeps the
/// server's default (create) or the deployment's current value (update).
struct RolloutOptions: ParsableArguments {
    @Option(help: "How new versions roll out: immediate, blue_green, canary, ab or shadow.") var strategy: String?
    @Option(help: "Replicas per revision (the autoscaler's minimum).") var replicas: Int?
    @Option(name: .customLong("max-replicas"), help: "The autoscaler's maximum (above --replicas turns autoscaling on).") var maxReplicas: Int?
    @Option(name: .customLong("target-concurrency"), help: "Requests in flight one replica should carry.") var targetConcurrency: Double?
    @Option(name: .customLong("canary-steps"), help: "Canary schedule as PERCENT:SECONDS,… (default 5:600,25:1800,50:3600,100:0).") var canarySteps: String?
    @Option(name: .customLong("ab-percent"), help: "A/B: the new revision's share of traffic.") var abPercent: Int?
    @Option(name: .customLong("shadow-percent"), help: "Shadow: the share of requests mirrored to the new revision.") var shadowPercent: Int?
    @Option(name: .customLong("keep-previous"), help: "Seconds the previous revision stays up for an instant rollback.") var keepPrevious: Int?
    @Option(name: .customLong("max-batch-size"), help: "Adaptive batching in each replica (1: off).") var maxBatchSize: Int?
    @Option(name: .customLong("max-batch-wait-ms"), help: "Longest a request waits for its batch.") var maxBatchWait: Int?
    @Option(name: .customLong("feature-service"), help: "Feed the model this feature service's vector for the entity rows of each request.")
    var featureService: String?
    @Option(name: .customLong("feature-project"), help: "The feature repository project of --feature-service.") var featureProject: String?

    func fields() throws -> DeploymentOptionsBody {
        DeploymentOptionsBody(strategy: strategy, replicas: replicas, max_replicas: maxReplicas, target_concurrency: targetConcurrency,
                              canary: try canarySteps.map { DeploymentOptionsBody.Canary(steps: try Self.steps($0)) }, ab_percent: abPercent,
                              shadow_percent: shadowPercent, keep_previous_seconds: keepPrevious, max_batch_size: maxBatchSize, max_batch_wait_ms: maxBatchWait,
                              feature_service: featureService, feature_project: featureProject)
    }

    static func steps(_ text: String) throws -> [DeploymentOptionsBody.Canary.Step] {
        try text.split(separator: ",").map { step in
            let parts = step.split(separator: ":")
            guard parts.count == 2, let percent = Int(parts[0]), let seconds = Int(parts[1]) else {
                throw ValidationError("--canary-steps: expected PERCENT:SECONDS,…, got '\(step)'.")
            }
            return .init(percent: percent, seconds: seconds)
        }
    }
}

/// Deployment options as the API reads them (absent fields are left out of the JSON).
struct DeploymentOptionsBody: Encodable {
    struct Canary: Encodable {
        struct Step: Encodable {
            let percent: Int
            let seconds: Int
        }

        let steps: [Step]
    }

    let strategy: String?
    let replicas: Int?
    let max_replicas: Int?
    let target_concurrency: Double?
    let canary: Canary?
    let ab_percent: Int?
    let shadow_percent: Int?
    let keep_previous_seconds: Int?
    let max_batch_size: Int?
    let max_batch_wait_ms: Int?
    let feature_service: String?
    let feature_project: String?
}
