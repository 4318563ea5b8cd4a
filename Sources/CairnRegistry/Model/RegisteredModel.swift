import CairnTracking

/// A named model that versions are registered under.
public struct RegisteredModel: Sendable, Equatable {
    /// Internal identity; stays the same across renames (snapshots are stored under it).
    public var id: String
    public var name: String
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64
    public var userID: String
    public var description: String?
    public var tags: [KeyValue]
    /// Alias → version number.
    public var aliases: [ModelAlias]
    /// The newest version in each stage (MLflow's `latest_versions`).
    public var latestVersions: [ModelVersion]
}

/// A named pointer (`@champion`) to one version of a model.
public struct ModelAlias: Sendable, Equatable {
    public var alias: String
    public var version: Int64

    public init(alias: String, version: Int64) {
        self.alias = alias
        self.version = version
    }
}
