import CairnCore
import CairnHTTP

extension FeatureValue {
    /// A JSON scalar as a feature value; nil for null, lists and objects.
    public init?(json: JSONValue) {
        switch json {
        case .int(let value): self = .int(value)
        case .double(let value): self = .double(value)
        case .string(let value): self = .string(value)
        case .bool(let value): self = .bool(value)
        default: return nil
        }
    }
}

extension FeatureValue {
    /// Stored values (`{"feature": value, …}`) read with the byte-level JSON parser: the online
    /// read path, where Foundation's decoder (one thrown error per type it tries) costs milliseconds.
    static func storedValues(_ bytes: [UInt8]) throws -> [String: FeatureValue] {
        guard case .object(let fields) = try JSONValue.parse(bytes) else { throw CairnError.internalError("A stored online row is not a JSON object.") }
        var values: [String: FeatureValue] = [:]
        for (name, value) in fields { if let scalar = FeatureValue(json: value) { values[name] = scalar } }
        return values
    }
}

/// Feast's column-oriented answer of `/get-online-features`:
/// `{"metadata":{"feature_names":[…]},"results":[{"values":[…],"statuses":[…],"event_timestamps":[…]},…]}`,
/// written by hand (the lookup's hot path).
struct OnlineFeaturesDTO: JSONBodyWriting {
    let features: OnlineFeatures

    init(_ features: OnlineFeatures) {
        self.features = features
    }

    func writeJSON(to writer: inout JSONWriter) {
        writer.append("{\"metadata\":{\"feature_names\":")
        writer.writeArray(features.columns) { $0.writeString($1.name) }
        writer.append("},\"results\":")
        // An entity's features from one view share a timestamp: each distinct one is formatted once.
        var formatted: [Int64: String] = [:]
        writer.writeArray(features.columns) { writer, column in
            writer.append("{\"values\":")
            writer.writeArray(column.values) { writer, value in
                switch value {
                case nil: writer.append("null")
                case .int(let number)?: writer.writeInt(number)
                case .double(let number)?: writer.writeDouble(number)
                case .string(let text)?: writer.writeString(text)
                case .bool(let flag)?: writer.writeBool(flag)
                }
            }
            writer.append(",\"statuses\":")
            writer.writeArray(column.statuses) { $0.writeString($1.rawValue) }
            writer.append(",\"event_timestamps\":")
            writer.writeArray(column.eventTimes) { writer, time in
                if let text = formatted[time] { return writer.writeString(text) }
                let text = EventTime.format(time)
                formatted[time] = text
                writer.writeString(text)
            }
            writer.append("}")
        }
        writer.append("}")
    }
}

struct MaterializedDTO: Encodable {
    struct View: Encodable {
        let feature_view: String
        let start_ts: String
        let end_ts: String
        let rows: Int

        init(_ run: FeatureStoreService.Materialization) {
            feature_view = run.view
            start_ts = EventTime.format(run.start)
            end_ts = EventTime.format(run.end)
            rows = run.rows
        }
    }

    let materialized: [View]

    init(_ results: [FeatureStoreService.Materialization]) {
        materialized = results.map(View.init)
    }
}

struct PlanDTO: Encodable {
    struct Change: Encodable {
        let kind: String
        let name: String
        let action: String
    }

    let project: String
    let version: Int?
    let changes: [Change]

    init(project: String, version: Int?, plan: RepositoryPlan) {
        self.project = project
        self.version = version
        changes = plan.changes.map { Change(kind: $0.kind, name: $0.name, action: $0.action.rawValue) }
    }
}

struct RepositoryDTO: Encodable {
    let project: String
    let version: Int
    let applied_at: Int64
    let yaml: String
    let feature_views: [String]
    let feature_services: [String]
}

/// `/api/v1/features/freshness`: per online view, its newest value online and its last run.
struct FreshnessDTO: Encodable {
    struct View: Encodable {
        let project: String
        let feature_view: String
        let newest_event_time: String?
        let staleness_seconds: Double?
        let last_materialization: MaterializedDTO.View?
        let last_materialized_at: Int64?

        init(_ freshness: FeatureStoreService.Freshness, nowMillis: Int64) {
            project = freshness.project
            feature_view = freshness.view
            newest_event_time = freshness.newestEventTime.map(EventTime.format)
            staleness_seconds = freshness.staleness(atMillis: nowMillis)
            last_materialization = freshness.lastMaterialization.map(MaterializedDTO.View.init)
            last_materialized_at = freshness.lastMaterializedAt
        }

        private enum CodingKeys: String, CodingKey {
            case project, feature_view, newest_event_time, staleness_seconds, last_materialization, last_materialized_at
        }

        /// Written out with nulls (a view with nothing online yet says so), not left out.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(project, forKey: .project)
            try container.encode(feature_view, forKey: .feature_view)
            try container.encode(newest_event_time, forKey: .newest_event_time)
            try container.encode(staleness_seconds, forKey: .staleness_seconds)
            try container.encode(last_materialization, forKey: .last_materialization)
            try container.encode(last_materialized_at, forKey: .last_materialized_at)
        }
    }

    let feature_views: [View]
}

/// `/api/v1/features/statistics`: the shape of each view's offline data.
struct StatisticsDTO: Encodable {
    struct Feature: Encodable {
        let name: String
        let type: String
        let count: Int
        let missing: Int
        let mean: Double?
        let std: Double?
        let min: Double?
        let max: Double?
        let distinct: Int?
        let most_common: FeatureValue?
    }

    struct View: Encodable {
        let feature_view: String
        let rows: Int
        let entities: Int
        let earliest_event_time: String?
        let latest_event_time: String?
        let features: [Feature]

        init(name: String, _ statistics: FeatureStatistics) {
            feature_view = name
            rows = statistics.rows
            entities = statistics.entities
            earliest_event_time = statistics.earliestEventTime.map(EventTime.format)
            latest_event_time = statistics.latestEventTime.map(EventTime.format)
            features = statistics.features.map { feature in
                Feature(name: feature.name, type: feature.type.rawValue, count: feature.count, missing: feature.missing, mean: feature.mean,
                        std: feature.standardDeviation, min: feature.minimum, max: feature.maximum, distinct: feature.distinct, most_common: feature.mostCommon)
            }
        }
    }

    let feature_views: [View]
}
