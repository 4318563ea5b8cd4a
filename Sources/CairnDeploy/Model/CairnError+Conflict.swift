import CairnCore

extension CairnError {
    /// A change the deployment's current state does not allow (no rollout to promote, one
    /// already in progress): INVALID_STATE, answered 409 as a conflict rather than MLflow's 500.
    static func conflict(_ message: String) -> CairnError {
        CairnError(.invalidState, message, httpStatus: 409)
    }
}
