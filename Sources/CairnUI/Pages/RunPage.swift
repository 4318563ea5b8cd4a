import CairnTracking

/// `/runs/<id>`: a run's overview, params, latest metrics, tags, child runs and a chart per metric.
enum RunPage {
    /// Most metrics charted on the page; the rest are listed in the metrics table.
    static let maxCharts = 12

    static func render(run: Run, experiment: Experiment, children: [Run], axis: ChartAxis, histories: [(key: String, points: [LTTB.Point])]) -> String {
        let tags = Dictionary(run.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        let info = run.info
        return PageLayout.render(title: info.runName, crumbs: [
            .init(title: "Experiments", href: "/"), .init(title: experiment.name, href: "/experiments/\(experiment.experimentID)"),
            .init(title: info.runName, href: nil),
        ]) { main in
            main.element("h1", text: info.runName)
            main.element("table", ["class": "overview"]) { table in
                table.element("tbody") { body in
                    func row(_ label: String, _ value: String?) {
                        guard let value, !value.isEmpty else { return }
                        body.element("tr") { $0.element("th", text: label); $0.element("td", text: value) }
                    }
                    row("Run ID", info.runID)
                    row("Status", info.status.rawValue)
                    row("Started", Formatting.date(info.startTime))
                    row("Duration", Formatting.duration(from: info.startTime, to: info.endTime))
                    row("User", info.userID)
                    row("Source", tags["mlflow.source.name"])
                    row("Git commit", tags["mlflow.source.git.commit"])
                    if let parent = tags["mlflow.parentRunId"] {
                        body.element("tr") { tr in
                            tr.element("th", text: "Parent run")
                            tr.element("td") { $0.element("a", ["href": "/runs/\(parent)"], text: parent) }
                        }
                    }
                }
            }
            main.element("p") { $0.element("a", ["href": ArtifactsPage.link(run, .root)], text: "Artifacts") }
            if !children.isEmpty {
                main.element("h2", text: "Child runs")
                main.element("ul", ["class": "children"]) { list in
                    for child in children {
                        list.element("li") { $0.element("a", ["href": "/runs/\(child.info.runID)"], text: child.info.runName) }
                    }
                }
            }
            keyValueTable(into: &main, title: "Parameters", rows: run.params.map { ($0.key, $0.value) })
            keyValueTable(into: &main, title: "Metrics", rows: run.metrics.map { ($0.key, Formatting.number($0.value)) })
            keyValueTable(into: &main, title: "Tags", rows: run.tags.filter { !$0.key.hasPrefix("mlflow.") }.map { ($0.key, $0.value) })
            if !histories.isEmpty {
                main.element("h2", text: "Charts")
                ChartAxis.switcher(into: &main, current: axis) { "/runs/\(info.runID)?x=\($0.rawValue)" }
                main.element("div", ["class": "charts"]) { charts in
                    for history in histories {
                        LineChart.render(into: &charts, caption: "\(history.key) (\(history.points.count) points)", axis: axis, series: [(history.key, history.points)])
                    }
                }
            }
        }
    }

    private static func keyValueTable(into html: inout HTMLWriter, title: String, rows: [(String, String)]) {
        guard !rows.isEmpty else { return }
        html.element("h2", text: title)
        html.element("table", ["class": "kv"]) { table in
            table.element("tbody") { body in
                for (key, value) in rows.sorted(by: { $0.0 < $1.0 }) {
                    body.element("tr") { $0.element("th", text: key); $0.element("td", text: value) }
                }
            }
        }
    }
}
