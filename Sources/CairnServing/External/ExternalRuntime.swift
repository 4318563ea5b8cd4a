import AsyncHTTPClient
import CairnCore
import Foundation
import Logging
import Subprocess
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A model server the replica runs beside itself for models it cannot run in-process (an MLflow
/// pyfunc model): by default `mlflow models serve` on a private loopback port. The command runs
/// in its own process group with the replica's stdout and stderr; it is ready once `/ping`
/// answers 200, and it is restarted, with growing pauses, whenever it dies.
public actor ExternalRuntime {
    /// `sh -c` command; `{model}` and `{port}` stand for the model folder and the private port.
    public static let defaultCommand = "exec mlflow models serve -m {model} --env-manager local --host 127.0.0.1 --port {port}"

    public struct Configuration: Sendable {
        public var command: String
        public var modelDirectory: URL
        /// How long one start may take before it is killed and counted as a failure.
        public var startTimeout: Duration
        /// The first pause before a restart; doubled after each quick death, up to `maxRestartDelay`.
        public var restartDelay: Duration
        public var maxRestartDelay: Duration

        public init(command: String = ExternalRuntime.defaultCommand, modelDirectory: URL, startTimeout: Duration = .seconds(300),
                    restartDelay: Duration = .seconds(1), maxRestartDelay: Duration = .seconds(30)) {
            self.command = command
            self.modelDirectory = modelDirectory
            self.startTimeout = startTimeout
            self.restartDelay = restartDelay
            self.maxRestartDelay = maxRestartDelay
        }
    }

    public struct StartFailure: Error, CustomStringConvertible {
        public let description: String
    }

    public nonisolated let port: Int
    public nonisolated let baseURL: String
    let configuration: Configuration
    let logger: Logger
    private let readyFlag = ReadyFlag()
    private var group: pid_t?
    private var stopping = false
    private var supervisor: Task<Void, Never>?
    /// Restarts so far (a first start does not count).
    public private(set) var restarts = 0

    final class ReadyFlag: Sendable {
        let value = Atomic<Bool>(false)
    }

    public init(configuration: Configuration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        port = try LoopbackPort.free()
        baseURL = "http://127.0.0.1:\(port)"
    }

    /// Whether the runtime answers now.
    public nonisolated var isReady: Bool { readyFlag.value.load(ordering: .acquiring) }

    /// Starts the runtime and keeps it running; returns once it is first ready, or throws (and
    /// stops) if the first start dies or times out.
    public func start() async throws {
        let (events, continuation) = AsyncStream.makeStream(of: Result<Void, StartFailure>.self, bufferingPolicy: .bufferingNewest(1))
        supervisor = Task { await self.supervise(firstOutcome: continuation) }
        for await outcome in events {
            if case .failure(let failure) = outcome {
                await stop()
                throw failure
            }
            return
        }
    }

    /// Stops the runtime: SIGTERM to its process group, SIGKILL after `grace`.
    public func stop(grace: Duration = .seconds(10)) async {
        stopping = true
        readyFlag.value.store(false, ordering: .releasing)
        if let group { await ProcessGroup.terminate(group, grace: grace) }
        await supervisor?.value
    }

    private func supervise(firstOutcome: AsyncStream<Result<Void, StartFailure>>.Continuation) async {
        var delay = configuration.restartDelay
        var everReady = false
        while !stopping {
            let clock = ContinuousClock(), started = clock.now
            let ended = await runOnce(reportReady: everReady ? nil : firstOutcome)
            everReady = everReady || ended.wasReady
            readyFlag.value.store(false, ordering: .releasing)
            group = nil
            if stopping { break }
            guard everReady else {
                firstOutcome.yield(.failure(StartFailure(description: "The external runtime (\(configuration.command)) \(ended.how) before it was ready.")))
                firstOutcome.finish()
                return
            }
            logger.warning("external runtime \(ended.how); restarting in \(delay)")
            try? await Task.sleep(for: delay)
            restarts += 1
            // A runtime that ran a while before dying starts over with the short pause.
            delay = clock.now - started > .seconds(60) ? configuration.restartDelay : min(delay * 2, configuration.maxRestartDelay)
        }
        firstOutcome.finish()
    }

    /// Launches the command and, once it has exited, says how it ended and whether it was ever ready.
    private func runOnce(reportReady: AsyncStream<Result<Void, StartFailure>>.Continuation?) async -> (how: String, wasReady: Bool) {
        var options = PlatformOptions()
        options.processGroupID = 0  // its own group: stopping it reaches the workers it forks
        let command = configuration.command
            .replacingOccurrences(of: "{model}", with: "\"$CAIRN_MODEL_DIR\"")
            .replacingOccurrences(of: "{port}", with: "\"$CAIRN_RUNTIME_PORT\"")
        var environment = ProcessInfo.processInfo.environment
        environment["CAIRN_MODEL_DIR"] = configuration.modelDirectory.path
        environment["CAIRN_RUNTIME_PORT"] = String(port)
        var wasReady = false
        do {
            let result = try await Subprocess.run(
                .path("/bin/sh"), arguments: ["-c", command],
                environment: .custom(Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(rawValue: $0.key)!, $0.value) })),
                platformOptions: options, input: .none, output: .currentStandardError, error: .currentStandardError
            ) { execution in
                let pid = execution.processIdentifier.value
                self.group = pid
                if await self.waitUntilAnswering(pid) {
                    wasReady = true
                    self.readyFlag.value.store(true, ordering: .releasing)
                    self.logger.info("external runtime ready on \(self.baseURL) (process group \(pid))")
                    reportReady?.yield(.success(()))
                } else if ProcessGroup.isAlive(pid) {
                    self.logger.error("external runtime did not answer within \(self.configuration.startTimeout); killing it")
                    await ProcessGroup.terminate(pid, grace: .seconds(5))
                }
            }
            if let group { ProcessGroup.kill(group, signal: SIGKILL) }  // whatever its leader left behind
            switch result.terminationStatus {
            case .exited(let code): return ("exited with status \(code)", wasReady)
            case .signaled(let signal): return ("was killed by signal \(signal)", wasReady)
            }
        } catch {
            return ("could not be started (\(error))", wasReady)
        }
    }

    /// Polls `/ping` until it answers 200 (true), or the process dies or the start times out (false).
    private nonisolated func waitUntilAnswering(_ pid: pid_t) async -> Bool {
        let clock = ContinuousClock(), deadline = clock.now.advanced(by: configuration.startTimeout)
        while clock.now < deadline, ProcessGroup.isAlive(pid) {
            if await isStopping() { return false }
            var request = HTTPClientRequest(url: "\(baseURL)/ping")
            request.method = .GET
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)), response.status == .ok {
                return true
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    private func isStopping() -> Bool { stopping }
}
