import Foundation

/// Everything an executor needs to run one try of a step, already resolved: the command with its
/// placeholders filled in, the environment, and where its files go.
public struct StepLaunch: Sendable {
    public var runID: String
    public var stepKey: String
    public var attempt: Int
    /// Run with `/bin/sh -c`.
    public var command: String
    /// The complete environment of the command (the server's, plus `stepEnvironment`).
    public var environment: [String: String]
    /// Only what Cairn and the spec set (MLflow and Cairn variables, the step's `env`): what a
    /// remote executor sends, leaving the worker's own PATH and HOME alone.
    public var stepEnvironment: [String: String]
    /// The try's private folder; the command starts here.
    public var directory: URL
    public var timeoutSeconds: Double?
    public var resources: ResourceSpec

    public var stdoutPath: URL { directory.appending(path: "stdout.log") }
    public var stderrPath: URL { directory.appending(path: "stderr.log") }
    /// Written with the exit code when the command ends by itself, so a restarted server can
    /// learn how a step it did not see finish ended.
    public var exitCodePath: URL { directory.appending(path: "exit-code") }
}

/// How one try of a step ended.
public enum StepExit: Sendable, Equatable {
    case exited(Int32)
    /// Killed after running longer than its timeout.
    case timedOut
    case cancelled
    /// The executor lost track of it (e.g. the process vanished while the server was down).
    case lost(String)

    public var succeeded: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): "exited with code \(code)"
        case .timedOut: "killed after its timeout"
        case .cancelled: "cancelled"
        case .lost(let reason): "lost: \(reason)"
        }
    }
}

/// Runs step commands somewhere: local processes, a Ray cluster, … Cancelling the calling task
/// stops the step (and everything it started) and returns `.cancelled`.
public protocol StepExecutor: Sendable {
    /// Starts the step, reports its process id (when there is one) through `started`, and
    /// returns when it has ended, enforcing `launch.timeoutSeconds`.
    func run(_ launch: StepLaunch, started: @escaping @Sendable (Int32?) async -> Void) async throws -> StepExit

    /// Follows a step started before the server restarted, until it ends. Returns `.lost` when it
    /// is neither running nor left an exit code.
    func reattach(_ launch: StepLaunch, pid: Int32?, startedAt: Date) async -> StepExit
}
