import CairnHTTP
import Foundation
import Hummingbird

/// The Open Inference Protocol (V2) REST API for one model: health, server and model metadata,
/// and inference, with `{"error": …}` bodies and the spec's statuses.
public struct V2Routes<Context: RequestContext>: Sendable {
    let model: any InferenceModel
    let state: ReplicaState

    public init(model: any InferenceModel, state: ReplicaState) {
        self.model = model
        self.state = state
    }

    public func register(on router: Router<Context>) {
        router.get("/v2/health/live") { _, _ in try self.json(["live": true]) }
        router.get("/v2/health/ready") { _, _ in
            state.isReady ? try self.json(["ready": true]) : try self.json(V2Error(error: "The model is still loading."), status: .serviceUnavailable)
        }
        router.get("/v2") { _, _ in try self.json(V2ServerMetadata(name: "cairn", version: ReplicaState.serverVersion, extensions: [])) }
        for suffix in ["", "/versions/{version}"] {
            router.get("/v2/models/{name}\(suffix)") { _, context in
                try await self.answer(context) {
                    try self.json(V2ModelMetadata(name: model.name, versions: [model.version], platform: model.platform,
                                                  inputs: model.inputs.map(V2MetadataTensor.init), outputs: model.outputs.map(V2MetadataTensor.init)))
                }
            }
            router.get("/v2/models/{name}\(suffix)/ready") { _, context in
                try await self.answer(context) {
                    state.isReady ? try self.json(ModelReady(name: model.name, ready: true))
                        : try self.json(V2Error(error: "Model \(model.name) is not ready."), status: .serviceUnavailable)
                }
            }
            router.post("/v2/models/{name}\(suffix)/infer") { request, context in
                try await self.answer(context) {
                    guard state.isReady else { throw InferenceError(status: 503, message: "Model \(model.name) is not ready.") }
                    let body = try await request.body.collect(upTo: ReplicaState.maxBodyBytes)
                    let json: JSONValue
                    do { json = try JSONValue.parse(body.readableBytesView) } catch { throw InferenceError.badInput("The body is not valid JSON: \(error)") }
                    let parsed = try V2InferenceRequest(json: json, model: model)
                    let outputs: [String: Tensor]
                    do { outputs = try await model.predict(parsed.feeds) } catch let error as InferenceError { throw error } catch {
                        throw InferenceError(status: 500, message: "Inference failed: \(error)")
                    }
                    let names = parsed.requestedOutputs ?? model.outputs.map(\.name)
                    return try self.json(V2InferenceResponse(model_name: model.name, model_version: model.version, id: parsed.id,
                                                             outputs: names.compactMap { name in outputs[name].map { V2Tensor(name: name, tensor: $0) } }))
                }
            }
        }
    }

    struct ModelReady: Encodable {
        let name: String
        let ready: Bool
    }

    /// Checks the path names this model (and version), runs `body`, and turns errors into V2 error answers.
    private func answer(_ context: Context, _ body: () async throws -> Response) async throws -> Response {
        do {
            let name = try context.pathParameter("name")
            guard name == model.name else { throw InferenceError.notFound("Model with name \(name) does not exist.") }
            if let version = context.parameters.get("version"), version != model.version {
                throw InferenceError.notFound("Model \(name) has no version \(version) here (serving \(model.version)).")
            }
            return try await body()
        } catch let error as InferenceError {
            return try json(V2Error(error: error.message), status: HTTPResponse.Status(code: error.status))
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return try json(V2Error(error: "The body is larger than \(ReplicaState.maxBodyBytes >> 20) MiB."), status: .contentTooLarge)
        }
    }

    private func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        try JSONResponse.make(value, status: status)
    }
}
