import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Runs each step as a Ray job through the Ray Jobs REST API of a cluster's dashboard
/// (`POST /api/jobs/`, `GET /api/jobs/{id}`, `POST /api/jobs/{id}/stop`). The job's entrypoint is
/// the same wrapper the local executor uses, so output and the exit code land in the try's
/// folder; the cluster must see that folder at the same path (a local head, or a shared mount).
/// The step's resources become the entrypoint's Ray resources (`entrypoint_num_cpus`,
/// `entrypoint_num_gpus`, `entrypoint_memory`), so Ray also places it where they are free.
/// Submission ids are derived from run, step and try, so a restarted server finds its jobs again.
///
/// Foundation's URLSession rather than async-http-client: a handful of small polling requests
/// per step do not justify building a second HTTP stack into the binary.
public struct RayJobsExecutor: StepExecutor {
    public var dashboard: URL
    public var pollInterval: Duration

    public init(dashboard: URL, pollInterval: Duration = .milliseconds(200)) {
        self.dashboard = dashboard
        self.pollInterval = pollInterval
    }

    /// `cairn-<run>-<step>-<try>`; the step key is hex-encoded so `a_b`, `a-b` and `a[0]` stay apart.
    static func submissionID(_ launch: StepLaunch) -> String {
        let step = launch.stepKey.utf8.map { String(format: "%02x", $0) }.joined()
        return "cairn-\(launch.runID)-\(step)-\(launch.attempt)"
    }

    public func run(_ launch: StepLaunch, started: @escaping @Sendable (Int32?) async -> Void) async throws -> StepExit {
        try FileManager.default.createDirectory(at: launch.directory, withIntermediateDirectories: true)
        let id = Self.submissionID(launch)
        let quoted = [LocalProcessExecutor.wrapper, "cairn-step", launch.command, launch.exitCodePath.path, launch.stdoutPath.path,
                      launch.stderrPath.path].map(ShellQuoting.quote)
        let submission = JobSubmission(
            entrypoint: "cd \(ShellQuoting.quote(launch.directory.path)) && /bin/sh -c " + quoted.joined(separator: " "),
            submission_id: id,
            runtime_env: .init(env_vars: launch.stepEnvironment),
            entrypoint_num_cpus: launch.resources.cpu,
            entrypoint_num_gpus: launch.resources.gpu > 0 ? Double(launch.resources.gpu) : nil,
            entrypoint_memory: launch.resources.memoryBytes > 0 ? launch.resources.memoryBytes : nil,
            metadata: ["cairn_pipeline_run": launch.runID, "cairn_step": launch.stepKey])
        _ = try await request("POST", "/api/jobs/", body: try JSONEncoder().encode(submission))
        await started(nil)
        return await follow(id, launch: launch, deadline: launch.timeoutSeconds.map { Date().addingTimeInterval($0) })
    }

    public func reattach(_ launch: StepLaunch, pid: Int32?, startedAt: Date) async -> StepExit {
        await follow(Self.submissionID(launch), launch: launch, deadline: launch.timeoutSeconds.map { startedAt.addingTimeInterval($0) })
    }

    /// Polls the job until it ends, stopping it on timeout or cancellation.
    private func follow(_ id: String, launch: StepLaunch, deadline: Date?) async -> StepExit {
        var failures = 0
        while true {
            if Task.isCancelled {
                await stop(id)
                return .cancelled
            }
            if let deadline, Date() >= deadline {
                await stop(id)
                return .timedOut
            }
            do {
                let job = try JSONDecoder().decode(JobStatus.self, from: try await request("GET", "/api/jobs/\(id)"))
                failures = 0
                switch job.status {
                case "SUCCEEDED", "FAILED":
                    if let code = LocalProcessExecutor.recordedExitCode(launch) { return .exited(code) }
                    return job.status == "SUCCEEDED" ? .exited(0) : .lost("Ray job \(id) failed: \(job.message ?? "no message")")
                case "STOPPED": return .lost("Ray job \(id) was stopped outside Cairn")
                default: break  // PENDING, RUNNING
                }
            } catch let error as RayError where error.status == 404 {
                return .lost("Ray has no job \(id)")
            } catch {
                failures += 1
                if failures >= 50 { return .lost("Ray's dashboard at \(dashboard) stopped answering: \(error)") }
            }
            try? await Task.sleep(for: pollInterval)
        }
    }

    /// Stops the job. Runs in a fresh task: called from a cancelled one, the requests would be
    /// cancelled before they reach Ray.
    private func stop(_ id: String) async {
        await Task { await stopJob(id) }.value
    }

    private func stopJob(_ id: String) async {
        _ = try? await request("POST", "/api/jobs/\(id)/stop", body: Data("{}".utf8))
        // Wait (briefly) for Ray to report it stopped, so nothing of the step keeps running.
        for _ in 0..<100 {
            guard let data = try? await request("GET", "/api/jobs/\(id)"),
                  let job = try? JSONDecoder().decode(JobStatus.self, from: data), job.status == "PENDING" || job.status == "RUNNING" else { return }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    private func request(_ method: String, _ path: String, body: Data? = nil) async throws -> Data {
        var request = URLRequest(url: dashboard.appending(path: path), timeoutInterval: 30)
        request.httpMethod = method
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw RayError(status: status, message: String(decoding: data.prefix(500), as: UTF8.self))
        }
        return data
    }

    struct RayError: Error, CustomStringConvertible {
        var status: Int
        var message: String
        var description: String { "Ray answered \(status): \(message)" }
    }

    /// The body of `POST /api/jobs/` (Ray's `JobSubmitRequest`).
    struct JobSubmission: Encodable {
        struct RuntimeEnv: Encodable {
            var env_vars: [String: String]
        }

        var entrypoint: String
        var submission_id: String
        var runtime_env: RuntimeEnv
        var entrypoint_num_cpus: Double
        var entrypoint_num_gpus: Double?
        var entrypoint_memory: Int64?
        var metadata: [String: String]
    }

    struct JobStatus: Decodable {
        var status: String
        var message: String?
    }
}
