import Logging
import ServiceLifecycle

/// The served model's lifetime inside the replica's service group: started (an external
/// runtime launched) and warmed up while the HTTP server already answers liveness, marked ready,
/// and stopped only after the server has drained its last request. A model that cannot start
/// ends the group, so the replica exits with an error.
struct ModelService: Service {
    let model: any InferenceModel
    let state: ReplicaState
    let logger: Logger

    func run() async throws {
        do {
            try await model.start()
            try await ReplicaApplication.warmUp(model)
        } catch {
            logger.critical("\(model.name) version \(model.version) could not be started: \(error)")
            await model.stop()
            throw error
        }
        state.markReady()
        logger.info("\(model.name) version \(model.version) is ready")
        // Services stop in reverse order: this returns once the HTTP server has drained.
        try? await gracefulShutdown()
        await model.stop()
    }
}
