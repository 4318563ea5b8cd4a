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

/// Feast's column-oriented answer of `/get-online-features`.
struct OnlineFeaturesDTO: Encodable {
    struct Metadata: Encodable {
        let feature_names: [String]
    }

    struct Result: Encodable {
        let values: [FeatureValue?]
        let statuses: [String]
        let event_timestamps: [String]
    }

    let metadata: Metadata
    let results: [Result]

    init(_ features: OnlineFeatures) {
        metadata = Metadata(feature_names: features.columns.map(\.name))
        results = features.columns.map { column in
            Result(values: column.values, statuses: column.statuses.map(\.rawValue), event_timestamps: column.eventTimes.map(EventTime.format))
        }
    }
}

struct MaterializedDTO: Encodable {
    struct View: Encodable {
        let feature_view: String
        let start_ts: String
        let end_ts: String
        let rows: Int
    }

    let materialized: [View]

    init(_ results: [FeatureStoreService.Materialization]) {
        materialized = results.map { View(feature_view: $0.view, start_ts: EventTime.format($0.start), end_ts: EventTime.format($0.end), rows: $0.rows) }
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
