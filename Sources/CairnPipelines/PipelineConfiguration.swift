import Foundation

/// How the control plane runs pipelines.
public struct PipelineConfiguration: Sendable {
    /// Where each step try gets its folder (inputs, outputs, logs, exit code).
    public var workDirectory: URL
    /// Total resources steps may hold at once; steps that do not fit wait in the queue.
    public var capacity: ResourceSpec
    /// Handed to steps as MLFLOW_TRACKING_URI, so their own `mlflow.log_*` calls reach this server.
    public var trackingURI: String
    public var executor: any StepExecutor
    /// How often the scheduler looks at runs when nothing wakes it (retry delays, schedules).
    public var tickInterval: Duration
    /// How often it looks when no run is active: a new run, a retry or a cancel wakes it at once,
    /// so this is only a safety net, and an idle server does not read its store four times a second.
    public var idleTickInterval: Duration = .seconds(5)

    public init(workDirectory: URL, capacity: ResourceSpec, trackingURI: String, executor: any StepExecutor = LocalProcessExecutor(),
                tickInterval: Duration = .milliseconds(250)) {
        self.workDirectory = workDirectory
        self.capacity = capacity
        self.trackingURI = trackingURI
        self.executor = executor
        self.tickInterval = tickInterval
    }

    /// This machine's cores and memory, and no GPUs.
    public static func localCapacity() -> ResourceSpec {
        ResourceSpec(cpu: Double(ProcessInfo.processInfo.activeProcessorCount), memoryBytes: Int64(ProcessInfo.processInfo.physicalMemory), gpu: 0)
    }
}
