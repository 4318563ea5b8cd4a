import CairnCore
import CairnHTTP
import Hummingbird

/// Feast's feature server shapes at the root of `cairn server` — `/get-online-features`, `/push`,
/// `/materialize`, `/materialize-incremental` — and `/api/v1/features/…`: `plan`, `apply` and
/// `repository` for definitions, `freshness` (per online view) and `statistics` (of the offline data). Timestamps travel as ISO-8601 text, as in Feast.
public struct FeatureServerRoutes<Context: RequestContext>: Sendable {
    let service: FeatureStoreService

    public init(service: FeatureStoreService) {
        self.service = service
    }

    public func register(feast: APIRoutes<Context>, native: APIRoutes<Context>) {
        feast.json(.post, path: "/get-online-features") { fields, _, _ in
            var references = try fields.strings("features")
            if let serviceName = try fields.string("feature_service") { references.append(serviceName) }
            guard let entities = try fields.object("entities") else { throw CairnError.invalidParameter("Missing value for required parameter 'entities'.") }
            var keys: [String: [FeatureValue]] = [:]
            for (name, value) in entities.values {
                guard case .array(let items) = value else { throw CairnError.invalidParameter("Entity key '\(name)' must map to a list of values.") }
                keys[name] = try items.map { item in
                    guard let key = FeatureValue(json: item) else { throw CairnError.invalidParameter("Entity key '\(name)' has a value that is not a scalar: \(item).") }
                    return key
                }
            }
            let result = try await service.onlineFeatures(project: try fields.string("project"), references: references, entities: keys,
                                                          fullFeatureNames: try fields.bool("full_feature_names") ?? false)
            return OnlineFeaturesDTO(result)
        }
        feast.json(.post, path: "/push") { fields, _, _ in
            let view = try fields.string("feature_view") ?? fields.requiredString("push_source_name")
            guard let frame = try fields.object("df") else { throw CairnError.invalidParameter("Missing value for required parameter 'df'.") }
            var columns: [String: [String?]] = [:]
            for (name, value) in frame.values {
                guard case .array(let items) = value else { throw CairnError.invalidParameter("Column '\(name)' of df must be a list.") }
                columns[name] = try items.map { item in
                    if case .null = item { return nil }
                    guard let scalar = FeatureValue(json: item) else { throw CairnError.invalidParameter("Column '\(name)' holds a value that is not a scalar: \(item).") }
                    return scalar.keyText  // 1001.0 from pandas is the key 1001, as online reads match it
                }
            }
            let target = try fields.string("to") ?? "online"
            guard ["online", "offline", "online_and_offline"].contains(target) else {
                throw CairnError.invalidParameter("'to' is online, offline or online_and_offline (got '\(target)').")
            }
            let count = try await service.push(project: try fields.string("project"), view: view, columns: columns,
                                               toOnline: target != "offline", toOffline: target != "online")
            return ["pushed": count]
        }
        feast.json(.post, path: "/materialize") { fields, _, _ in
            let start = try Self.time(fields, "start_ts", required: true)!, end = try Self.time(fields, "end_ts", required: true)!
            return MaterializedDTO(try await service.materialize(project: try fields.string("project"), start: start, end: end,
                                                                 views: try fields.strings("feature_views")))
        }
        feast.json(.post, path: "/materialize-incremental") { fields, _, _ in
            let end = try Self.time(fields, "end_ts", required: false) ?? Clock.nowMillis() * 1000
            return MaterializedDTO(try await service.materialize(project: try fields.string("project"), start: nil, end: end,
                                                                 views: try fields.strings("feature_views")))
        }
        native.json(.post, path: "/features/plan") { fields, _, _ in
            let (repository, plan) = try await service.plan(yaml: try fields.requiredString("yaml"), baseDirectory: try fields.requiredString("base_directory"))
            return PlanDTO(project: repository.project, version: nil, plan: plan)
        }
        native.json(.post, path: "/features/apply") { fields, _, _ in
            let yaml = try fields.requiredString("yaml")
            let (version, plan) = try await service.apply(yaml: yaml, baseDirectory: try fields.requiredString("base_directory"))
            return PlanDTO(project: try FeatureRepository(yaml: yaml).project, version: version, plan: plan)
        }
        native.json(.get, path: "/features/repository") { fields, _, _ in
            let (repository, applied) = try await service.repository(project: try fields.string("project"))
            return RepositoryDTO(project: repository.project, version: applied.version, applied_at: applied.appliedAt, yaml: applied.yaml,
                                 feature_views: repository.featureViews.map(\.name), feature_services: repository.featureServices.map(\.name))
        }
        native.json(.get, path: "/features/freshness") { fields, _, _ in
            let project = try fields.string("project")
            if let project, try await !service.projects().contains(project) { throw CairnError.notFound("No feature repository '\(project)' has been applied.") }
            let now = Clock.nowMillis()
            return FreshnessDTO(feature_views: try await service.freshness().filter { project == nil || $0.project == project }.map { FreshnessDTO.View($0, nowMillis: now) })
        }
        native.json(.get, path: "/features/statistics") { fields, _, _ in
            let project = try fields.string("project")
            var names = try fields.string("feature_view").map { [$0] } ?? []
            if names.isEmpty { names = try await service.repository(project: project).repository.featureViews.map(\.name) }
            var views: [StatisticsDTO.View] = []
            for name in names { views.append(StatisticsDTO.View(name: name, try await service.statistics(project: project, view: name))) }
            return StatisticsDTO(feature_views: views)
        }
    }

    static func time(_ fields: RequestFields, _ name: String, required: Bool) throws -> Int64? {
        guard let text = try fields.string(name, required: required) else { return nil }
        guard let time = EventTime.parse(text) else { throw CairnError.invalidParameter("'\(name)' is not a timestamp: '\(text)'.") }
        return time
    }
}
