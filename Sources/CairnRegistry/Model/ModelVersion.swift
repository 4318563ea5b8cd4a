import CairnTracking

/// One registered version of a model: an immutable snapshot of its source's files.
public struct ModelVersion: Sendable, Equatable {
    public var modelID: String
    public var name: String
    public var version: Int64
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64
    public var userID: String
    public var stage: ModelStage
    public var description: String?
    /// The URI the version was registered from, as the client sent it.
    public var source: String
    public var runID: String?
    public var runLink: String?
    /// The MLflow 3 logged model it was registered from, if any.
    public var loggedModelID: String?
    /// Where the frozen files are (`mlflow-artifacts:/_cairn_snapshots/…`); nil for a source
    /// outside Cairn's artifact store, which is recorded but cannot be frozen.
    public var storageLocation: String?
    public var tags: [KeyValue]
    public var aliases: [String]
}

/// MLflow's model version stages. `Deleted_Internal` marks deleted versions, whose numbers stay
/// taken, and is never shown.
public enum ModelStage: String, Sendable, CaseIterable {
    case none = "None"
    case staging = "Staging"
    case production = "Production"
    case archived = "Archived"
    case deletedInternal = "Deleted_Internal"

    /// The stages a client may name, matched case-insensitively as MLflow does.
    public static let visible: [ModelStage] = [.none, .staging, .production, .archived]

    public init?(clientName: String) {
        guard let stage = Self.visible.first(where: { $0.rawValue.lowercased() == clientName.lowercased() }) else { return nil }
        self = stage
    }
}
