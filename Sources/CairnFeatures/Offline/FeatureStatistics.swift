/// What a feature view's offline data looks like: how many rows and entities, the span of event
/// times, and per feature how many values are missing and how they are spread (mean, standard
/// deviation and range of numbers; distinct values and the most common one otherwise).
public struct FeatureStatistics: Sendable {
    public struct Feature: Sendable {
        public var name: String
        public var type: FeatureType
        public var count: Int
        public var missing: Int
        public var mean: Double?
        public var standardDeviation: Double?
        public var minimum: Double?
        public var maximum: Double?
        public var distinct: Int?
        public var mostCommon: FeatureValue?
    }

    public var rows: Int
    public var entities: Int
    /// Microseconds since the epoch; nil for an empty source.
    public var earliestEventTime: Int64?
    public var latestEventTime: Int64?
    public var features: [Feature]

    public init(table: FeatureTable, view: FeatureRepository.FeatureView) {
        rows = table.count
        entities = Set(table.keyIDs).count
        earliestEventTime = table.eventTimes.min()
        latestEventTime = table.eventTimes.max()
        features = zip(view.features, table.columns).map { Self.describe($0.0, $0.1) }
    }

    static func describe(_ feature: FeatureRepository.Feature, _ column: FeatureColumn) -> Feature {
        var result = Feature(name: feature.name, type: feature.type, count: 0, missing: 0)
        switch feature.type {
        case .int64, .float64:
            // Welford's running mean and variance: one pass, no cancellation on large values.
            var mean = 0.0, squares = 0.0
            var low = Double.infinity, high = -Double.infinity
            for row in 0..<column.count {
                guard let number = column[row].flatMap(Self.number) else {
                    result.missing += 1
                    continue
                }
                result.count += 1
                let delta = number - mean
                mean += delta / Double(result.count)
                squares += delta * (number - mean)
                low = min(low, number)
                high = max(high, number)
            }
            if result.count > 0 {
                result.mean = mean
                result.standardDeviation = result.count > 1 ? (squares / Double(result.count - 1)).squareRoot() : 0
                result.minimum = low
                result.maximum = high
            }
        case .string, .bool:
            var counts: [FeatureValue: Int] = [:]
            for row in 0..<column.count {
                guard let value = column[row] else {
                    result.missing += 1
                    continue
                }
                result.count += 1
                counts[value, default: 0] += 1
            }
            result.distinct = counts.count
            // Most common; of equally common values, the one that sorts first as text (stable answers).
            result.mostCommon = counts.max { a, b in a.value != b.value ? a.value < b.value : a.key.description > b.key.description }?.key
        }
        return result
    }

    static func number(_ value: FeatureValue) -> Double? {
        switch value {
        case .int(let number): Double(number)
        case .double(let number): number.isNaN ? nil : number
        default: nil
        }
    }
}
