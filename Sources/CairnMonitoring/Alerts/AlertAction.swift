import CairnCore

/// What a firing alert does besides telling: roll the deployment back (abort its rollout, or
/// return to the previous revision), or start a pipeline run (retraining) with parameters.
public enum AlertAction: Codable, Sendable, Equatable {
    case rollback
    case runPipeline(name: String, params: [String: String])

    func validate() throws(CairnError) {
        if case .runPipeline(let name, _) = self, name.isEmpty { throw .invalidParameter("A pipeline action needs the pipeline's name.") }
    }
}
