/// Soft-deletion state of experiments, runs and logged models (separate from a run's status).
public enum LifecycleStage: String, Sendable {
    case active
    case deleted
}

/// Which lifecycle stages a search returns.
public enum ViewType: String, Sendable, CaseIterable {
    case activeOnly = "ACTIVE_ONLY"
    case deletedOnly = "DELETED_ONLY"
    case all = "ALL"

    /// The wire names in proto number order (1, 2, 3).
    public static let wireNames = allCases.map(\.rawValue)

    var stages: [String] {
        switch self {
        case .activeOnly: [LifecycleStage.active.rawValue]
        case .deletedOnly: [LifecycleStage.deleted.rawValue]
        case .all: [LifecycleStage.active.rawValue, LifecycleStage.deleted.rawValue]
        }
    }
}
