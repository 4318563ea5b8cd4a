/// One metric point. `value` may be NaN or ±infinity.
public struct Metric: Sendable, Equatable {
    public var key: String
    public var value: Double
    public var timestamp: Int64
    public var step: Int64
    public var modelID: String?
    public var datasetName: String?
    public var datasetDigest: String?
    /// Set when the point is returned for several runs at once (bulk history).
    public var runID: String?

    public init(key: String, value: Double, timestamp: Int64, step: Int64, modelID: String? = nil,
                datasetName: String? = nil, datasetDigest: String? = nil, runID: String? = nil) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step
        self.modelID = modelID
        self.datasetName = datasetName
        self.datasetDigest = datasetDigest
        self.runID = runID
    }

    public static func == (lhs: Metric, rhs: Metric) -> Bool {
        lhs.key == rhs.key && lhs.timestamp == rhs.timestamp && lhs.step == rhs.step
            && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
            && lhs.modelID == rhs.modelID && lhs.datasetName == rhs.datasetName
            && lhs.datasetDigest == rhs.datasetDigest && lhs.runID == rhs.runID
    }

    /// MLflow's order for "latest": greatest step, then timestamp, then value (NaN lowest).
    func isLater(than other: Metric) -> Bool {
        if step != other.step { return step > other.step }
        if timestamp != other.timestamp { return timestamp > other.timestamp }
        if value.isNaN { return false }
        if other.value.isNaN { return true }
        return value > other.value
    }
}
