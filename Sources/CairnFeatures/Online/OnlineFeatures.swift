/// What `/get-online-features` answers, column by column as Feast does: the join keys first,
/// then each feature, each with a value, a status and an event timestamp per entity.
public struct OnlineFeatures: Sendable, Equatable {
    /// Feast's field statuses.
    public enum Status: String, Sendable {
        case present = "PRESENT"
        case notFound = "NOT_FOUND"
        case nullValue = "NULL_VALUE"
        /// Older than the view's TTL: the value is withheld (Feast would return it as present).
        case outsideMaxAge = "OUTSIDE_MAX_AGE"
    }

    public struct Column: Sendable, Equatable {
        public var name: String
        public var values: [FeatureValue?]
        public var statuses: [Status]
        /// Microseconds since the epoch; 0 for join keys and values not found.
        public var eventTimes: [Int64]
    }

    public var columns: [Column]
    /// How many of the first columns are join keys (the rest are the features asked for).
    public var keyCount: Int

    public init(columns: [Column], keyCount: Int) {
        self.columns = columns
        self.keyCount = keyCount
    }
}
