import AsyncHTTPClient
import CairnCore
import Foundation
import Logging

/// A model server the replica runs beside itself for models it cannot run in-process (an MLflow
/// pyfunc model): by default `mlflow models serve` on a private loopback port, supervised (own
/// process group, the replica's stderr, ready once `/ping` answers 200, restarted whenever it dies).
public struct ExternalRuntime: Sendable {
    /// `sh -c` command; `{model}` and `{port}` stand for the model folder and the private port.
    public static let defaultCommand = "exec mlflow models serve -m {model} --env-manager local --host 127.0.0.1 --port {port}"

    public let port: Int
    public let baseURL: String
    let process: SupervisedProcess

    /// A runtime for the model in `modelDirectory`, not started yet.
    public init(command: String = Self.defaultCommand, modelDirectory: URL, startTimeout: Duration = .seconds(300), logger: Logger) throws {
        port = try LoopbackPort.free()
        let baseURL = "http://127.0.0.1:\(port)"
        self.baseURL = baseURL
        var environment = ProcessInfo.processInfo.environment
        environment["CAIRN_MODEL_DIR"] = modelDirectory.path
        environment["CAIRN_RUNTIME_PORT"] = String(port)
        let shellCommand = command
            .replacingOccurrences(of: "{model}", with: "\"$CAIRN_MODEL_DIR\"")
            .replacingOccurrences(of: "{port}", with: "\"$CAIRN_RUNTIME_PORT\"")
        process = SupervisedProcess(
            name: "external runtime on \(baseURL)",
            configuration: .init(command: shellCommand, environment: environment, startTimeout: startTimeout),
            logger: logger
        ) {
            var request = HTTPClientRequest(url: "\(baseURL)/ping")
            request.method = .GET
            guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)) else { return false }
            return response.status == .ok
        }
    }

    /// Whether the runtime answers now.
    public var isReady: Bool { process.isReady }

    /// Starts it; returns once it first answers, or throws if it dies or times out first.
    public func start() async throws { try await process.start() }

    public func stop() async { await process.stop() }
}
