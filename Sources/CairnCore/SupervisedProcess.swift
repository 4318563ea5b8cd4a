import Foundation
import Logging
import Subprocess
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A long-running child process kept alive: started with `sh -c` in its own process group, ready
/// once `probe` says so, restarted with growing pauses whenever it dies, and stopped with SIGTERM
/// (SIGKILL after a grace period) to its whole group. A replica's external runtime and the
/// replicas of a deployment are both run this way.
public actor SupervisedProcess {
    public struct Configuration: Sendable {
        /// A `sh -c` command line.
        public var command: String
        public var environment: [String: String]
        /// Where its stdout and stderr go: a file (appended to), or nil for this process's stderr.
        public var logFile: URL?
        /// How long one start may take before it is killed and counted as a failure.
        public var startTimeout: Duration
        /// The first pause before a restart; doubled after each quick death, up to `maxRestartDelay`.
        public var restartDelay: Duration
        public var maxRestartDelay: Duration

        public init(command: String, environment: [String: String] = ProcessInfo.processInfo.environment, logFile: URL? = nil,
                    startTimeout: Duration = .seconds(300), restartDelay: Duration = .seconds(1), maxRestartDelay: Duration = .seconds(30)) {
            self.command = command
            self.environment = environment
            self.logFile = logFile
            self.startTimeout = startTimeout
            self.restartDelay = restartDelay
            self.maxRestartDelay = maxRestartDelay
        }
    }

    public struct StartFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Whether the process answers: called every 100 ms while it starts.
    public typealias Probe = @Sendable () async -> Bool

    let configuration: Configuration
    let name: String
    let probe: Probe
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

    public init(name: String, configuration: Configuration, logger: Logger, probe: @escaping Probe) {
        self.name = name
        self.configuration = configuration
        self.logger = logger
        self.probe = probe
    }

    /// Whether the process answers now.
    public nonisolated var isReady: Bool { readyFlag.value.load(ordering: .acquiring) }

    /// The process group of the running process, if one runs.
    public var processGroup: pid_t? { group }

    /// Starts the process and keeps it running; returns once it is first ready, or throws (and
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

    /// Stops it: SIGTERM to its process group, SIGKILL after `grace`.
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
                firstOutcome.yield(.failure(StartFailure(description: "\(name) (\(configuration.command)) \(ended.how) before it was ready.")))
                firstOutcome.finish()
                return
            }
            logger.warning("\(name) \(ended.how); restarting in \(delay)")
            try? await Task.sleep(for: delay)
            restarts += 1
            // A process that ran a while before dying starts over with the short pause.
            delay = clock.now - started > .seconds(60) ? configuration.restartDelay : min(delay * 2, configuration.maxRestartDelay)
        }
        firstOutcome.finish()
    }

    /// Launches the command and, once it has exited, says how it ended and whether it was ever ready.
    private func runOnce(reportReady: AsyncStream<Result<Void, StartFailure>>.Continuation?) async -> (how: String, wasReady: Bool) {
        var options = PlatformOptions()
        options.processGroupID = 0  // its own group: stopping it reaches whatever it forks
        var wasReady = false
        var environment = configuration.environment
        var command = configuration.command
        if let logFile = configuration.logFile {
            // The shell sends its output (and so the command's) to the log before running it.
            try? FileManager.default.createDirectory(at: logFile.deletingLastPathComponent(), withIntermediateDirectories: true)
            environment["CAIRN_SUPERVISED_LOG"] = logFile.path
            command = "exec >>\"$CAIRN_SUPERVISED_LOG\" 2>&1 </dev/null\n" + command
        }
        do {
            let result = try await Subprocess.run(
                .path("/bin/sh"), arguments: ["-c", command],
                environment: .custom(Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(rawValue: $0.key)!, $0.value) })),
                platformOptions: options, input: .none, output: .currentStandardError, error: .currentStandardError
            ) { execution in
                let pid = execution.processIdentifier.value
                self.group = pid
                if await self.waitUntilReady(pid) {
                    wasReady = true
                    self.readyFlag.value.store(true, ordering: .releasing)
                    self.logger.info("\(self.name) ready (process group \(pid))")
                    reportReady?.yield(.success(()))
                } else if ProcessGroup.isAlive(pid) {
                    self.logger.error("\(self.name) was not ready within \(self.configuration.startTimeout); killing it")
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

    /// Probes until the process is ready (true), or it dies or the start times out (false).
    private func waitUntilReady(_ pid: pid_t) async -> Bool {
        let clock = ContinuousClock(), deadline = clock.now.advanced(by: configuration.startTimeout)
        while clock.now < deadline, ProcessGroup.isAlive(pid), !stopping {
            if await probe() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
