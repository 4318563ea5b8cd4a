import CairnCore
import Foundation
import Subprocess
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs each step as a local process in its own process group, with stdout and stderr appended
/// to files in the try's folder (never a pipe to the server, so a step outlives a server crash
/// and can be re-attached). On timeout or cancel the whole group gets SIGTERM, and SIGKILL once
/// `killGrace` has passed with anything still running; when a step ends by itself, anything it
/// left running in its group is killed.
public struct LocalProcessExecutor: StepExecutor {
    public var killGrace: Duration
    /// How often a re-attached step is checked.
    public var pollInterval: Duration

    public init(killGrace: Duration = .seconds(10), pollInterval: Duration = .milliseconds(100)) {
        self.killGrace = killGrace
        self.pollInterval = pollInterval
    }

    /// `sh -c WRAPPER cairn-step COMMAND EXIT_FILE STDOUT STDERR`: redirects output, runs the
    /// command, and records its exit code atomically (rename) when it ends by itself.
    static let wrapper = #"""
        exec >>"$3" 2>>"$4" </dev/null
        /bin/sh -c "$1"
        code=$?
        printf '%s' "$code" >"$2.tmp" && mv "$2.tmp" "$2"
        exit "$code"
        """#

    public func run(_ launch: StepLaunch, started: @escaping @Sendable (Int32?) async -> Void) async throws -> StepExit {
        try FileManager.default.createDirectory(at: launch.directory, withIntermediateDirectories: true)
        var options = PlatformOptions()
        options.processGroupID = 0  // its own group, led by the wrapper: kill(-pid) reaches every descendant
        let state = LaunchState()
        let grace = killGrace
        let result = try await withTaskCancellationHandler {
            try await Subprocess.run(
                .path("/bin/sh"),
                arguments: ["-c", Self.wrapper, "cairn-step", launch.command, launch.exitCodePath.path,
                            launch.stdoutPath.path, launch.stderrPath.path],
                environment: .custom(Dictionary(uniqueKeysWithValues: launch.environment.map { (Environment.Key(rawValue: $0.key)!, $0.value) })),
                workingDirectory: .init(launch.directory.path),
                platformOptions: options,
                input: .none, output: .discarded, error: .discarded
            ) { execution in
                let pid = execution.processIdentifier.value
                state.group.withLock { $0 = pid }
                await started(pid)
                if let timeout = launch.timeoutSeconds {
                    // Watches the deadline while the process runs (cancelled when it ends); the
                    // result below tells whether it fired.
                    let watcher = Task {
                        try await Task.sleep(for: .seconds(timeout))
                        state.timedOut.withLock { $0 = true }
                        ProcessGroup.kill(pid, signal: SIGTERM)
                    }
                    state.watcher.withLock { $0 = watcher }
                }
            }
        } onCancel: {
            if let pid = state.group.withLock({ $0 }) { ProcessGroup.kill(pid, signal: SIGTERM) }
        }
        state.watcher.withLock { $0?.cancel() }
        let cancelled = Task.isCancelled, timedOut = state.timedOut.withLock { $0 }
        if let pid = state.group.withLock({ $0 }) {
            if cancelled || timedOut {
                // The wrapper shell dies at the first SIGTERM; the command itself gets `killGrace`
                // to finish (say, to save a checkpoint) before the group is killed. A fresh task,
                // so a cancelled caller does not cut the grace short.
                await Task { await ProcessGroup.terminate(pid, grace: grace) }.value
            } else {
                ProcessGroup.kill(pid, signal: SIGKILL)  // whatever a finished step left running
            }
        }
        if cancelled { return .cancelled }
        if timedOut { return .timedOut }
        switch result.terminationStatus {
        case .exited(let code): return .exited(code)
        case .signaled(let signal): return .lost("killed by signal \(signal)")
        }
    }

    public func reattach(_ launch: StepLaunch, pid: Int32?, startedAt: Date) async -> StepExit {
        let deadline = launch.timeoutSeconds.map { startedAt.addingTimeInterval($0) }
        let group = pid ?? ProcessGroup.find(commandLineContaining: launch.exitCodePath.path)
        while true {
            if let code = Self.recordedExitCode(launch) {
                if let group { ProcessGroup.kill(group, signal: SIGKILL) }
                return .exited(code)
            }
            guard let group, ProcessGroup.isAlive(group) else {
                // It may have written its exit code between the two checks.
                if let code = Self.recordedExitCode(launch) { return .exited(code) }
                return .lost("the step's process ended while the server was down without recording an exit code")
            }
            if Task.isCancelled {
                await Task { [killGrace] in await ProcessGroup.terminate(group, grace: killGrace) }.value
                return .cancelled
            }
            if let deadline, Date() >= deadline {
                await ProcessGroup.terminate(group, grace: killGrace)
                return .timedOut
            }
            try? await Task.sleep(for: pollInterval)
        }
    }

    /// What the launch shares with its deadline watcher and cancellation handler.
    private final class LaunchState: Sendable {
        let group = Mutex<pid_t?>(nil)
        let timedOut = Mutex(false)
        let watcher = Mutex<Task<Void, any Error>?>(nil)
    }

    static func recordedExitCode(_ launch: StepLaunch) -> Int32? {
        (try? String(contentsOf: launch.exitCodePath, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
