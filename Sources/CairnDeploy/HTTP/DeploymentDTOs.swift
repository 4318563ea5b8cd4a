/// `/api/v1/deployments` bodies.
struct DeploymentDTO: Encodable, Sendable {
    struct ReplicaDTO: Encodable, Sendable {
        let url: String
        let ready: Bool
    }

    struct RevisionDTO: Encodable, Sendable {
        let revision: Int
        let model_name: String
        let model_version: Int64
        let percent: Int
        let created_at: Int64
        let replicas: [ReplicaDTO]
        /// Traffic since the current window opened (the current canary step, or the last rollout).
        let requests: Int
        let errors: Int
        let p95_ms: Double?
    }

    struct CanaryDTO: Encodable, Sendable {
        struct StepDTO: Encodable, Sendable {
            let percent: Int
            let seconds: Int
        }

        let steps: [StepDTO]
        let max_error_rate_increase: Double
        let max_latency_increase: Double
        let gate_error_rate_increase: Double
        let gate_latency_increase: Double
        let latency_slack_ms: Double
        let minimum_requests: Int
    }

    struct RolloutDTO: Encodable, Sendable {
        let strategy: String
        let stable_revision: Int
        let candidate_revision: Int
        let step: Int
        let step_percent: Int?
        let step_started_at: Int64
        let paused: Bool
        let verdict: String?
    }

    struct ShadowDTO: Encodable, Sendable {
        let compared: Int
        let disagreements: Int
        let errors: Int
    }

    struct ABTestDTO: Encodable, Sendable {
        struct ArmDTO: Encodable, Sendable {
            let revision: Int
            let trials: Int
            let successes: Int
        }

        let a: ArmDTO
        let b: ArmDTO
        let rate_a: Double?
        let rate_b: Double?
        let difference: Double?
        let z: Double?
        let p_value: Double?
        let confidence_interval: [Double]?
        let significant: Bool?
    }

    struct EventDTO: Encodable, Sendable {
        let time: Int64
        let message: String
    }

    let name: String
    let model_name: String
    let model_version: Int64?
    let model_alias: String?
    let follow_alias: Bool
    let strategy: String
    let replicas: Int
    let max_replicas: Int
    let target_concurrency: Double
    let stable_window_seconds: Double
    let scale_to_zero_grace_seconds: Double
    let max_batch_size: Int
    let max_batch_wait_ms: Int
    let threads: Int
    let canary: CanaryDTO
    let ab_percent: Int
    let shadow_percent: Int
    let keep_previous_seconds: Int
    let log_sample_percent: Int
    let log_retention_days: Int
    let feature_service: String?
    let created_at: Int64
    let updated_at: Int64
    let revisions: [RevisionDTO]
    let rollout: RolloutDTO?
    let shadow: ShadowDTO?
    let ab_test: ABTestDTO?
    let events: [EventDTO]

    init(_ deployment: Deployment, live: LiveStatus) {
        let spec = deployment.spec
        name = spec.name
        model_name = spec.modelName
        model_version = spec.modelVersion
        model_alias = spec.modelAlias
        follow_alias = spec.followAlias
        strategy = spec.strategy.rawValue
        replicas = spec.replicas
        max_replicas = spec.maxReplicas
        target_concurrency = spec.targetConcurrency
        stable_window_seconds = spec.stableWindowSeconds
        scale_to_zero_grace_seconds = spec.scaleToZeroGraceSeconds
        max_batch_size = spec.maxBatchSize
        max_batch_wait_ms = spec.maxBatchWaitMilliseconds
        threads = spec.threads
        let policy = spec.canary
        canary = CanaryDTO(steps: policy.steps.map { .init(percent: $0.percent, seconds: $0.seconds) }, max_error_rate_increase: policy.maxErrorRateIncrease,
                           max_latency_increase: policy.maxLatencyIncrease, gate_error_rate_increase: policy.gateErrorRateIncrease,
                           gate_latency_increase: policy.gateLatencyIncrease, latency_slack_ms: policy.latencySlackMilliseconds,
                           minimum_requests: policy.minimumRequests)
        ab_percent = spec.abPercent
        shadow_percent = spec.shadowPercent
        keep_previous_seconds = spec.keepPreviousSeconds
        log_sample_percent = spec.logSamplePercent
        log_retention_days = spec.logRetentionDays
        feature_service = spec.featureService
        created_at = deployment.createdAt
        updated_at = deployment.updatedAt
        revisions = deployment.revisions.map { revision in
            let window = live.windows[revision.number]
            return RevisionDTO(revision: revision.number, model_name: revision.modelName, model_version: revision.modelVersion, percent: revision.percent,
                               created_at: revision.createdAt,
                               replicas: live.replicas[revision.number, default: []].map { ReplicaDTO(url: $0.url, ready: $0.ready) },
                               requests: window?.requests ?? 0, errors: window?.errors ?? 0, p95_ms: window?.p95Milliseconds)
        }
        rollout = deployment.progress.rollout.map { rollout in
            RolloutDTO(strategy: rollout.strategy.rawValue, stable_revision: rollout.stable, candidate_revision: rollout.candidate, step: rollout.step,
                       step_percent: rollout.strategy == .canary ? policy.steps[min(rollout.step, policy.steps.count - 1)].percent : nil,
                       step_started_at: rollout.stepStartedAt, paused: rollout.paused, verdict: live.verdict ?? rollout.lastVerdict)
        }
        shadow = live.shadow.map { ShadowDTO(compared: $0.compared, disagreements: $0.disagreements, errors: $0.errors) }
        ab_test = live.abTest.map { ab in
            ABTestDTO(a: .init(revision: ab.a.revision, trials: ab.a.trials, successes: ab.a.successes),
                      b: .init(revision: ab.b.revision, trials: ab.b.trials, successes: ab.b.successes),
                      rate_a: ab.test?.rateA, rate_b: ab.test?.rateB, difference: ab.test?.difference, z: ab.test?.z, p_value: ab.test?.pValue,
                      confidence_interval: ab.test.map { [$0.confidenceInterval.lowerBound, $0.confidenceInterval.upperBound] },
                      significant: ab.test?.isSignificant())
        }
        events = deployment.progress.events.map { EventDTO(time: $0.time, message: $0.message) }
    }
}

struct DeploymentOutput: Encodable, Sendable {
    let deployment: DeploymentDTO
}

struct DeploymentsOutput: Encodable, Sendable {
    let deployments: [DeploymentDTO]
}

struct PredictionDTO: Encodable, Sendable {
    let request_id: String
    let revision: Int
    let model_version: String?
    let time: Int64
    let latency_ms: Double
    let status: Int
    let inputs: String
    let outputs: String
}

struct PredictionsOutput: Encodable, Sendable {
    let predictions: [PredictionDTO]
}

struct OutcomeOutput: Encodable, Sendable {
    let revision: Int
}
