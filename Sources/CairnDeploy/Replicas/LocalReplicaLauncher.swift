import AsyncHTTPClient
import CairnCore
import Foundation
import Logging

/// Starts `cairn replica` processes on this machine, each on a free loopback port, supervised
/// (restarted with backoff if it dies) and logging to its own file.
public struct LocalReplicaLauncher: Sendable {
    /// The `cairn` executable the replicas run.
    public var executable: String
    /// The server replicas fetch registered models from.
    public var serverURL: String
    /// Logs go to `<folder>/<deployment>/r<revision>-<index>.log`, fetched models to `<folder>/model-cache`.
    public var folder: URL
    public var startTimeout: Duration = .seconds(300)

    public init(executable: String, serverURL: String, folder: URL) {
        self.executable = executable
        self.serverURL = serverURL
        self.folder = folder
    }

    /// This very binary, for replicas started by `cairn server`.
    public static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Starts one replica of `revision`; returns once it is ready (or throws if it cannot start).
    public func launch(deployment: DeploymentSpec, revision: Deployment.Revision, index: Int, logger: Logger) async throws -> Replica {
        let port = try LoopbackPort.free()
        let url = "http://127.0.0.1:\(port)"
        let arguments = [executable, "replica", "--model", revision.modelURI, "--server", serverURL, "--port", String(port),
                         "--cache-dir", folder.appending(path: "model-cache").path, "--name", deployment.name,
                         "--threads", String(deployment.threads), "--max-batch-size", String(deployment.maxBatchSize),
                         "--max-batch-wait-ms", String(deployment.maxBatchWaitMilliseconds)]
        let process = SupervisedProcess(
            name: "replica \(index) of \(deployment.name) revision \(revision.number)",
            configuration: .init(command: "exec " + arguments.map(Self.quoted).joined(separator: " "),
                                 logFile: folder.appending(path: "\(deployment.name)/r\(revision.number)-\(index).log"), startTimeout: startTimeout),
            logger: logger
        ) {
            var request = HTTPClientRequest(url: "\(url)/v2/health/ready")
            request.method = .GET
            guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)) else { return false }
            return response.status == .ok
        }
        try await process.start()
        return Replica(revision: revision.number, index: index, url: url, process: process, connections: ReplicaConnections(host: "127.0.0.1", port: port))
    }

    /// Stops replicas a previous run of this server left behind (it was killed, so it never
    /// stopped them): `cairn replica` processes using this launcher's model cache. Called before
    /// the stored deployments are started again.
    public func stopLeftovers(logger: Logger) async {
        let cache = folder.appending(path: "model-cache").path
        let groups = ProcessGroup.findAll { $0.count > 1 && $0[1] == "replica" && $0.contains(cache) }
        guard !groups.isEmpty else { return }
        logger.warning("stopping \(groups.count) replica(s) left by a previous run (process groups \(groups))")
        await withTaskGroup(of: Void.self) { tasks in
            for group in groups { tasks.addTask { await ProcessGroup.terminate(group, grace: .seconds(10)) } }
        }
    }

    static func quoted(_ argument: String) -> String { "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

/// One running replica.
public struct Replica: Sendable {
    public let revision: Int
    public let index: Int
    public let url: String
    let process: SupervisedProcess
    /// The gateway's keep-alive connections to it.
    let connections: ReplicaConnections

    public var isReady: Bool { process.isReady }

    /// SIGTERM (the replica drains its requests), SIGKILL after `grace`.
    public func stop(grace: Duration = .seconds(30)) async {
        await process.stop(grace: grace)
        connections.close()
    }
}
