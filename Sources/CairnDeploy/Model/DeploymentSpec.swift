import CairnCore

/// What a user asks for: which registered model to serve (a version, or an alias to follow), how
/// to roll out new revisions, how many replicas and how they scale, with what serving options.
public struct DeploymentSpec: Sendable, Equatable, Codable {
    public enum Strategy: String, Sendable, Codable, CaseIterable {
        /// Start the new revision, switch all traffic to it once it is ready, stop the old one.
        case immediate
        /// Start the new revision fully and warm, switch all traffic at once, keep the old one
        /// for instant rollback for `keepPreviousSeconds`.
        case blueGreen = "blue_green"
        /// Move traffic to the new revision step by step, judging it against the stable one at
        /// each step; promote or roll back on its own.
        case canary
        /// A fixed split (`abPercent` to the new revision), sticky by routing key, until promoted
        /// or rolled back; outcomes reported per arm are compared by a two-proportion z-test.
        case ab
        /// Mirror `shadowPercent` of requests to the new revision, discard its answers, and
        /// count where they disagree, until promoted or rolled back.
        case shadow
    }

    public var name: String
    public var modelName: String
    public var modelVersion: Int64?
    public var modelAlias: String?
    /// With an alias: roll out by the strategy whenever the alias moves to another version.
    public var followAlias = true
    public var strategy: Strategy
    /// The autoscaler's minimum (0: scale to zero when idle); a new revision starts this many, at least one.
    public var replicas: Int
    /// The autoscaler's maximum; equal to `replicas`, autoscaling is off.
    public var maxReplicas: Int
    /// Requests in flight one replica should carry (the autoscaler's target).
    public var targetConcurrency: Double = 10
    /// The autoscaler's stable window (its panic window is a tenth of it).
    public var stableWindowSeconds: Double = 60
    /// With `replicas` 0: how long without a request before the last replica stops.
    public var scaleToZeroGraceSeconds: Double = 30
    public var maxBatchSize: Int
    public var maxBatchWaitMilliseconds: Int
    public var threads: Int
    public var canary = CanaryPolicy()
    /// A/B: the new revision's share of traffic, in percent.
    public var abPercent = 50
    /// Shadow: the share of requests mirrored to the new revision, in percent.
    public var shadowPercent = 100
    /// How long the previous revision stays up after a switch, for an instant rollback.
    public var keepPreviousSeconds = 300
    /// The share of successful requests written to the prediction log (errors always are).
    public var logSamplePercent = 100
    /// Logged predictions older than this are deleted.
    public var logRetentionDays = 30
    /// The feature service whose online features the gateway feeds the model: requests carry
    /// entity keys (and request fields), the model gets the same vector training had.
    public var featureService: String?
    /// The feature repository project of `featureService` (the only or latest one when not given).
    public var featureProject: String?

    public init(name: String, modelName: String, modelVersion: Int64?, modelAlias: String?, strategy: Strategy = .immediate, replicas: Int = 1,
                maxReplicas: Int? = nil, maxBatchSize: Int = 1, maxBatchWaitMilliseconds: Int = 5, threads: Int = 1) {
        self.name = name
        self.modelName = modelName
        self.modelVersion = modelVersion
        self.modelAlias = modelAlias
        self.strategy = strategy
        self.replicas = replicas
        self.maxReplicas = maxReplicas ?? replicas
        self.maxBatchSize = maxBatchSize
        self.maxBatchWaitMilliseconds = maxBatchWaitMilliseconds
        self.threads = threads
    }

    public var autoscales: Bool { maxReplicas > replicas }

    public var autoscalerPolicy: AutoscalerPolicy {
        var policy = AutoscalerPolicy(targetConcurrency: targetConcurrency, minReplicas: replicas, maxReplicas: maxReplicas)
        policy.stableWindowSeconds = stableWindowSeconds
        policy.scaleToZeroGraceSeconds = scaleToZeroGraceSeconds
        return policy
    }

    /// Refuses names and options that cannot be served.
    public func validate() throws(CairnError) {
        guard (1...63).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }),
              name.first?.isLetter == true else {
            throw .invalidParameter("Deployment name '\(name)' must be 1 to 63 letters, digits, '-' or '_', starting with a letter.")
        }
        guard !modelName.isEmpty else { throw .invalidParameter("A deployment needs a model name.") }
        guard (modelVersion == nil) != (modelAlias == nil) else {
            throw .invalidParameter("Give exactly one of a model version or a model alias.")
        }
        if let modelVersion, modelVersion < 1 { throw .invalidParameter("Model version must be 1 or more (got \(modelVersion)).") }
        guard (0...32).contains(replicas) else { throw .invalidParameter("replicas is from 0 (scale to zero) to 32 (got \(replicas)).") }
        guard (max(replicas, 1)...32).contains(maxReplicas) else {
            throw .invalidParameter("max_replicas is from replicas (\(replicas)) and at least 1, to 32 (got \(maxReplicas)).")
        }
        guard (0...3600).contains(scaleToZeroGraceSeconds) else {
            throw .invalidParameter("scale_to_zero_grace_seconds is from 0 to 3600 (got \(scaleToZeroGraceSeconds)).")
        }
        do { try autoscalerPolicy.validate() } catch { throw .invalidParameter(error.description) }
        guard (1...4096).contains(maxBatchSize) else { throw .invalidParameter("max_batch_size is from 1 to 4096 (got \(maxBatchSize)).") }
        guard (0...10_000).contains(maxBatchWaitMilliseconds) else { throw .invalidParameter("max_batch_wait_ms is from 0 to 10000 (got \(maxBatchWaitMilliseconds)).") }
        guard (1...64).contains(threads) else { throw .invalidParameter("threads is from 1 to 64 (got \(threads)).") }
        do { try canary.validate() } catch { throw .invalidParameter(error.description) }
        guard (1...99).contains(abPercent) else { throw .invalidParameter("ab_percent is from 1 to 99 (got \(abPercent)).") }
        guard (1...100).contains(shadowPercent) else { throw .invalidParameter("shadow_percent is from 1 to 100 (got \(shadowPercent)).") }
        guard (0...7 * 24 * 3600).contains(keepPreviousSeconds) else {
            throw .invalidParameter("keep_previous_seconds is from 0 to 604800 (got \(keepPreviousSeconds)).")
        }
        guard (0...100).contains(logSamplePercent) else { throw .invalidParameter("log_sample_percent is from 0 to 100 (got \(logSamplePercent)).") }
        guard (1...3650).contains(logRetentionDays) else { throw .invalidParameter("log_retention_days is from 1 to 3650 (got \(logRetentionDays)).") }
    }

    // Specs stored before an option existed read back with its default.
    enum CodingKeys: String, CodingKey {
        case name, modelName, modelVersion, modelAlias, followAlias, strategy, replicas, maxReplicas, targetConcurrency, stableWindowSeconds
        case scaleToZeroGraceSeconds, logSamplePercent, logRetentionDays
        case maxBatchSize, maxBatchWaitMilliseconds, threads, canary, abPercent, shadowPercent, keepPreviousSeconds
        case featureService, featureProject
    }

    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try values.decode(String.self, forKey: .name), modelName: try values.decode(String.self, forKey: .modelName),
                  modelVersion: try values.decodeIfPresent(Int64.self, forKey: .modelVersion), modelAlias: try values.decodeIfPresent(String.self, forKey: .modelAlias),
                  strategy: try values.decode(Strategy.self, forKey: .strategy), replicas: try values.decode(Int.self, forKey: .replicas),
                  maxReplicas: try values.decodeIfPresent(Int.self, forKey: .maxReplicas), maxBatchSize: try values.decode(Int.self, forKey: .maxBatchSize),
                  maxBatchWaitMilliseconds: try values.decode(Int.self, forKey: .maxBatchWaitMilliseconds), threads: try values.decode(Int.self, forKey: .threads))
        followAlias = try values.decodeIfPresent(Bool.self, forKey: .followAlias) ?? followAlias
        targetConcurrency = try values.decodeIfPresent(Double.self, forKey: .targetConcurrency) ?? targetConcurrency
        stableWindowSeconds = try values.decodeIfPresent(Double.self, forKey: .stableWindowSeconds) ?? stableWindowSeconds
        scaleToZeroGraceSeconds = try values.decodeIfPresent(Double.self, forKey: .scaleToZeroGraceSeconds) ?? scaleToZeroGraceSeconds
        canary = try values.decodeIfPresent(CanaryPolicy.self, forKey: .canary) ?? canary
        abPercent = try values.decodeIfPresent(Int.self, forKey: .abPercent) ?? abPercent
        shadowPercent = try values.decodeIfPresent(Int.self, forKey: .shadowPercent) ?? shadowPercent
        keepPreviousSeconds = try values.decodeIfPresent(Int.self, forKey: .keepPreviousSeconds) ?? keepPreviousSeconds
        logSamplePercent = try values.decodeIfPresent(Int.self, forKey: .logSamplePercent) ?? logSamplePercent
        logRetentionDays = try values.decodeIfPresent(Int.self, forKey: .logRetentionDays) ?? logRetentionDays
        featureService = try values.decodeIfPresent(String.self, forKey: .featureService)
        featureProject = try values.decodeIfPresent(String.self, forKey: .featureProject)
    }
}
