import CairnPipelines

/// `/pipeline-runs/<id>`: the run's DAG with each step's state, then a table of steps with
/// durations, tries, messages, links to their MLflow runs and their logs.
enum PipelineRunPage {
    static func path(_ runID: String) -> String { "/pipeline-runs/\(Formatting.pathSegment(runID))" }

    static func render(run: PipelineRun, dependencies: [String: [String]]) -> String {
        let title = "\(run.pipelineName) · \(run.runID.prefix(12))"
        return PageLayout.render(title: title, crumbs: [.init(title: "Pipelines", href: "/pipelines"), .init(title: title, href: nil)]) { main in
            main.element("h1") { heading in
                heading.text("\(run.pipelineName) ")
                heading.element("span", ["class": "state \(run.status.rawValue)"], text: run.status.rawValue)
            }
            main.element("table", ["class": "overview"]) { table in
                table.element("tbody") { body in
                    func row(_ label: String, _ value: String) {
                        guard !value.isEmpty else { return }
                        body.element("tr") { $0.element("th", text: label); $0.element("td", text: value) }
                    }
                    row("Run ID", run.runID)
                    row("Started", Formatting.date(run.createdAt))
                    row("Duration", Formatting.duration(from: run.createdAt, to: run.endedAt))
                    row("Triggered by", run.triggeredBy + (run.createdBy.isEmpty ? "" : " (\(run.createdBy))"))
                    row("Parameters", run.params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.plainText)" }.joined(separator: ", "))
                    row("Message", run.message)
                    body.element("tr") { tr in
                        tr.element("th", text: "MLflow run")
                        tr.element("td") { $0.element("a", ["href": "/runs/\(run.mlflowRunID)"], text: run.mlflowRunID) }
                    }
                }
            }
            main.element("h2", text: "Graph")
            DAGDiagram.render(into: &main, steps: run.steps, dependencies: dependencies, link: { stepLink(run, $0) })
            main.element("h2", text: "Steps")
            main.element("table", ["class": "steps"]) { table in
                table.tableHead(["Step", "Status", "Tries", "Queued", "Duration", "Message", "MLflow run", "Logs"])
                table.element("tbody") { body in
                    for step in run.steps {
                        body.element("tr", ["id": "step-\(step.stepKey)", "data-status": step.status.rawValue]) { row in
                            row.element("td", text: step.stepKey)
                            row.element("td") { $0.element("span", ["class": "state \(step.status.rawValue)"], text: step.status.rawValue) }
                            row.element("td", ["class": "num"], text: step.attempt > 0 ? String(step.attempt) : "")
                            row.element("td", text: step.queuedAt.map { Formatting.date($0) } ?? "")
                            row.element("td", text: step.startedAt.map { Formatting.duration(from: $0, to: step.endedAt) } ?? "")
                            row.element("td", ["class": "message"], text: step.message)
                            row.element("td") { cell in
                                if let runID = step.outputsRunID ?? step.mlflowRunID { cell.element("a", ["href": "/runs/\(runID)"], text: String(runID.prefix(8))) }
                            }
                            row.element("td") { cell in
                                if step.attempt > 0 {
                                    cell.element("a", ["href": stepLink(run, step.stepKey) + "?stream=stdout"], text: "stdout")
                                    cell.text(" ")
                                    cell.element("a", ["href": stepLink(run, step.stepKey) + "?stream=stderr"], text: "stderr")
                                }
                            }
                        }
                    }
                }
            }
            if !run.status.isFinished {
                // Progressive: a running pipeline's page refreshes itself; the page works without it.
                main.element("script") { $0.raw("setTimeout(function () { location.reload(); }, 2000);") }
            }
        }
    }

    static func stepLink(_ run: PipelineRun, _ stepKey: String) -> String {
        "\(path(run.runID))/steps/\(Formatting.pathSegment(stepKey))/log"
    }
}
