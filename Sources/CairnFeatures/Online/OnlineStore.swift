/// Where the latest feature values per entity live for serving. One value row per (project,
/// view, entity key); a write keeps whichever of the stored and the new row is newer by event
/// time, then created time, so replays and overlapping materializations converge.
public protocol OnlineStore: Sendable {
    func write(project: String, view: String, rows: [OnlineRow]) async throws -> Int
    func read(project: String, view: String, keys: [String]) async throws -> [String: OnlineRow]
}

/// One entity's values of one view, by feature name.
public struct OnlineRow: Sendable, Equatable {
    public var key: String
    public var eventTime: Int64
    public var createdTime: Int64?
    public var values: [String: FeatureValue]

    public init(key: String, eventTime: Int64, createdTime: Int64?, values: [String: FeatureValue]) {
        self.key = key
        self.eventTime = eventTime
        self.createdTime = createdTime
        self.values = values
    }

    /// Whether this row should replace `stored`.
    func replaces(_ stored: OnlineRow) -> Bool {
        if eventTime != stored.eventTime { return eventTime > stored.eventTime }
        if createdTime != stored.createdTime { return (createdTime ?? .min) > (stored.createdTime ?? .min) }
        return values != stored.values
    }
}
