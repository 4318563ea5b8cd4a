import CairnPipelines

/// `/pipelines`: recent pipeline runs, newest first.
enum PipelineRunsPage {
    static func render(runs: [PipelineRun]) -> String {
        PageLayout.render(title: "Pipelines", crumbs: [.init(title: "Pipelines", href: nil)]) { main in
            main.element("h1", text: "Pipeline runs")
            main.element("table", ["class": "pipeline-runs"]) { table in
                table.tableHead(["Run", "Pipeline", "Status", "Started", "Duration", "Triggered by", "Message"])
                table.element("tbody") { body in
                    for run in runs {
                        body.element("tr") { row in
                            row.element("td") { $0.element("a", ["href": PipelineRunPage.path(run.runID)], text: String(run.runID.prefix(12))) }
                            row.element("td", text: run.pipelineName)
                            row.element("td") { $0.element("span", ["class": "state \(run.status.rawValue)"], text: run.status.rawValue) }
                            row.element("td", text: Formatting.date(run.createdAt))
                            row.element("td", text: Formatting.duration(from: run.createdAt, to: run.endedAt))
                            row.element("td", text: run.triggeredBy + (run.createdBy.isEmpty ? "" : " (\(run.createdBy))"))
                            row.element("td", text: run.message)
                        }
                    }
                }
            }
            if runs.isEmpty { main.element("p", ["class": "muted"], text: "No pipeline runs yet. Start one with `cairn pipeline run FILE`.") }
        }
    }
}
