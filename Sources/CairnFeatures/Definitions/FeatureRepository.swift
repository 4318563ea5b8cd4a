import CairnCore
import Foundation
import Yams

/// A feature repository: one YAML file defining entities (join keys), sources (CSV files with an
/// event-timestamp and optionally a created-timestamp column), feature views (typed features of
/// a source, per entity, with a TTL) and feature services (the features one model consumes).
///
/// ```yaml
/// project: fraud
/// entities:
///   - {name: user, join_keys: [user_id]}
/// sources:
///   - {name: user_stats, path: user_stats.csv, timestamp_field: event_timestamp, created_timestamp_column: created}
/// feature_views:
///   - name: user_stats
///     entities: [user]
///     source: user_stats
///     ttl: 7d
///     features: [{name: txn_count_7d, type: int64}]
/// feature_services:
///   - {name: fraud_v1, features: ["user_stats:txn_count_7d"]}
/// ```
public struct FeatureRepository: Sendable, Equatable {
    public struct Entity: Sendable, Equatable, Codable {
        public var name: String
        public var joinKeys: [String]
    }

    public struct Source: Sendable, Equatable, Codable {
        public var name: String
        /// A CSV file, relative to the repository file.
        public var path: String
        public var timestampField: String
        public var createdTimestampColumn: String?
    }

    public struct Feature: Sendable, Equatable, Codable {
        public var name: String
        public var type: FeatureType
    }

    public struct FeatureView: Sendable, Equatable, Codable {
        public var name: String
        public var entities: [String]
        public var source: String
        /// Values older than this (relative to each event) are not used; 0: no limit (Feast's rule).
        public var ttlSeconds: Int64
        public var online: Bool
        public var features: [Feature]
    }

    /// Features computed from other features and from values the request carries, by
    /// expressions run identically in training joins and online reads.
    public struct OnDemandView: Sendable, Equatable {
        public struct Derived: Sendable, Equatable {
            public var name: String
            public var type: FeatureType
            public var expression: FeatureExpression
        }

        public var name: String
        /// Feature views or other on-demand views whose features the expressions read.
        public var sources: [String]
        /// Values each request (or entity row) carries.
        public var request: [Feature]
        public var features: [Derived]
    }

    public struct FeatureService: Sendable, Equatable, Codable {
        public var name: String
        /// `view` (all its features) or `view:feature`.
        public var features: [String]
    }

    public var project: String
    public var entities: [Entity]
    public var sources: [Source]
    public var featureViews: [FeatureView]
    public var onDemandViews: [OnDemandView]
    public var featureServices: [FeatureService]

    public init(project: String, entities: [Entity], sources: [Source], featureViews: [FeatureView], onDemandViews: [OnDemandView] = [],
                featureServices: [FeatureService]) {
        self.project = project
        self.entities = entities
        self.sources = sources
        self.featureViews = featureViews
        self.onDemandViews = onDemandViews
        self.featureServices = featureServices
    }

    public func onDemandView(_ name: String) -> OnDemandView? { onDemandViews.first { $0.name == name } }

    public func entity(_ name: String) -> Entity? { entities.first { $0.name == name } }
    public func source(_ name: String) -> Source? { sources.first { $0.name == name } }
    public func view(_ name: String) -> FeatureView? { featureViews.first { $0.name == name } }

    /// The join keys of a view, in its entities' order.
    public func joinKeys(of view: FeatureView) -> [String] { view.entities.flatMap { entity($0)?.joinKeys ?? [] } }
}

extension FeatureRepository {
    /// Reads the YAML text; shapes that cannot be read are refused naming the field.
    public init(yaml: String) throws(CairnError) {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else { throw CairnError.invalidParameter("The feature repository is empty.") }
            root = node
        } catch let error as CairnError { throw error } catch {
            throw .invalidParameter("The feature repository is not valid YAML: \(error)")
        }
        let top = try YAMLFields(root, at: "the repository")
        project = try top.string("project")
        entities = try top.list("entities").map { (item) throws(CairnError) in
            Entity(name: try item.string("name"), joinKeys: try item.strings("join_keys"))
        }
        sources = try top.list("sources").map { (item) throws(CairnError) in
            Source(name: try item.string("name"), path: try item.string("path"), timestampField: try item.optionalString("timestamp_field") ?? "event_timestamp",
                   createdTimestampColumn: try item.optionalString("created_timestamp_column"))
        }
        featureViews = try top.list("feature_views").map { (item) throws(CairnError) in
            FeatureView(name: try item.string("name"), entities: try item.strings("entities"), source: try item.string("source"),
                        ttlSeconds: try item.duration("ttl"), online: try item.bool("online") ?? true,
                        features: try item.list("features").map { (feature) throws(CairnError) in
                            Feature(name: try feature.string("name"), type: try FeatureType(name: try feature.string("type")))
                        })
        }
        onDemandViews = try top.list("on_demand_feature_views").map { (item) throws(CairnError) in
            OnDemandView(name: try item.string("name"), sources: try item.strings("sources"),
                         request: try item.list("request").map { (field) throws(CairnError) in
                             Feature(name: try field.string("name"), type: try FeatureType(name: try field.string("type")))
                         },
                         features: try item.list("features").map { (feature) throws(CairnError) in
                             OnDemandView.Derived(name: try feature.string("name"), type: try FeatureType(name: try feature.string("type")),
                                                  expression: try FeatureExpression(parsing: try feature.string("expression")))
                         })
        }
        featureServices = try top.list("feature_services").map { (item) throws(CairnError) in
            FeatureService(name: try item.string("name"), features: try item.strings("features"))
        }
    }
}
