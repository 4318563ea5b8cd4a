import Foundation

/// The live view of `--watch`: the run's step table, redrawn whenever it changes, until the run ends.
struct PipelineWatch {
    let client: CairnAPIClient

    func follow(runID: String) async throws -> PipelineRunJSON {
        var lastShown = ""
        let interactive = isatty(STDOUT_FILENO) != 0
        while true {
            let run = try await client.send("GET", "/api/v1/pipeline-runs/\(CairnAPIClient.segment(runID))", as: PipelineRunEnvelope.self).pipeline_run
            let table = Self.table(run)
            if table != lastShown {
                if interactive, !lastShown.isEmpty {
                    // Move the cursor up over the previous table and clear it, for an in-place update.
                    print("\u{1B}[\(lastShown.split(separator: "\n", omittingEmptySubsequences: false).count)A\u{1B}[J", terminator: "")
                }
                print(table)
                lastShown = table
            }
            if run.status != "running" { return run }
            try await Task.sleep(for: .milliseconds(500))
        }
    }

    static func table(_ run: PipelineRunJSON) -> String {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let rows = (run.steps ?? []).map { step -> [String] in
            let duration = step.started_at.map { TextTable.duration(milliseconds: (step.ended_at ?? now) - $0) } ?? ""
            return [step.step_key, step.status, step.attempt > 0 ? String(step.attempt) : "", duration, String(step.message.prefix(100))]
        }
        let elapsed = TextTable.duration(milliseconds: (run.ended_at ?? now) - run.created_at)
        return "\(run.pipeline_name) \(run.run_id): \(run.status) (\(elapsed))" + (run.message.isEmpty ? "" : " — \(run.message)") + "\n"
            + TextTable(["STEP", "STATUS", "TRY", "TIME", "MESSAGE"], rows).render()
    }
}
