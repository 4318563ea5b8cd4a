/// Starts pipeline runs for alerts that ask for retraining (the server wires in its pipelines).
public protocol PipelineLauncher: Sendable {
    /// Refuses a pipeline that is not registered, so a monitor naming one is refused when created.
    func checkExists(pipeline: String) async throws
    /// Starts a run; returns its id.
    func launch(pipeline: String, params: [String: String], reason: String) async throws -> String
}
