import CairnPipelines

/// `/pipeline-runs/<id>/steps/<step>/log?stream=stdout|stderr&attempt=N`: one try's output.
enum StepLogPage {
    /// Most of a log shown on the page.
    static let pageLimit = 1 << 20

    static func render(run: PipelineRun, step: PipelineStep, stream: LogStream, log: StepLogChunk) -> String {
        let title = "\(step.stepKey) · \(stream.rawValue)"
        return PageLayout.render(title: title, crumbs: [
            .init(title: "Pipelines", href: "/pipelines"),
            .init(title: "\(run.pipelineName) · \(run.runID.prefix(12))", href: PipelineRunPage.path(run.runID)),
            .init(title: title, href: nil),
        ]) { main in
            main.element("h1", text: "\(step.stepKey): \(stream.rawValue), try \(log.attempt) of \(step.attempt)")
            main.element("p") { line in
                for attempt in 1...max(1, step.attempt) {
                    if attempt > 1 { line.text(" · ") }
                    line.element("a", ["href": PipelineRunPage.stepLink(run, step.stepKey) + "?stream=\(stream.rawValue)&attempt=\(attempt)",
                                       "class": attempt == log.attempt ? "current" : nil], text: "try \(attempt)")
                }
            }
            main.element("pre", ["class": "preview log"], text: log.text.isEmpty ? "(no output)" : log.text)
            if log.text.utf8.count >= pageLimit {
                main.element("p", ["class": "muted"], text: "Only the first \(pageLimit >> 20) MiB is shown; `cairn pipeline logs` prints it all.")
            }
            if !log.finished { main.element("script") { $0.raw("setTimeout(function () { location.reload(); }, 2000);") } }
        }
    }
}
