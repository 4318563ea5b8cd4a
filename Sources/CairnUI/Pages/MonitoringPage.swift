import CairnCore
import CairnDeploy
import CairnMonitoring
import Foundation

/// `/deployments/<name>/monitoring`: traffic, errors and latency percentiles minute by minute
/// over the last 15 minutes, the monitors and their alerts, and the drift of the last hour with
/// each feature's reference and current histograms. Reloads itself every few seconds.
enum MonitoringPage {
    struct Content {
        var deployment: Deployment
        var series: [(start: Int64, summary: WindowSummary)]
        var monitors: [MonitorRule]
        var alerts: [Alert]
        /// The drift report, or why there is none (no reference, nothing logged yet).
        var drift: Result<DriftReport, CairnError>
    }

    static func path(_ name: String) -> String { DeploymentPage.path(name) + "/monitoring" }

    static func render(_ content: Content) -> String {
        let name = content.deployment.name
        return PageLayout.render(title: "\(name) · monitoring", crumbs: [.init(title: "Deployments", href: "/deployments"),
                                                                       .init(title: name, href: DeploymentPage.path(name)), .init(title: "Monitoring", href: nil)],
                                 refreshSeconds: 5) { main in
            main.element("h1", text: "\(name) · monitoring")
            let now = content.series.last?.start ?? 0
            func points(_ value: (WindowSummary) -> Double?) -> [LTTB.Point] {
                content.series.compactMap { entry in value(entry.summary).map { LTTB.Point(x: Double(entry.start - now) / 60, y: $0) } }
            }
            main.element("h2", text: "Service, last 15 minutes")
            main.element("div", ["class": "charts"]) { charts in
                LineChart.render(into: &charts, caption: "Requests per minute", axisName: "minutes", xUnit: "minutes ago",
                                 series: [("requests", points { Double($0.requests) })])
                LineChart.render(into: &charts, caption: "Server errors per minute", axisName: "minutes", xUnit: "minutes ago",
                                 series: [("errors", points { Double($0.errors) })])
                LineChart.render(into: &charts, caption: "Latency (ms)", axisName: "minutes", xUnit: "minutes ago",
                                 series: [("p50", points(\.p50Milliseconds)), ("p95", points(\.p95Milliseconds)), ("p99", points(\.p99Milliseconds))])
            }
            main.element("h2", text: "Monitors")
            if content.monitors.isEmpty { main.element("p", ["class": "muted"], text: "No monitors; add one with POST /api/v1/deployments/\(name)/monitors.") }
            main.element("table", ["class": "monitors"]) { table in
                table.tableHead(["Monitor", "Condition", "Window", "Every", "Severity", "State"])
                table.element("tbody") { body in
                    for monitor in content.monitors {
                        let firing = content.alerts.contains { $0.monitor == monitor.name && $0.state == .firing }
                        body.element("tr") { row in
                            row.element("td", text: monitor.name)
                            row.element("td", text: monitor.condition.description)
                            row.element("td", text: "\(monitor.windowSeconds) s")
                            row.element("td", text: "\(monitor.everySeconds) s")
                            row.element("td", text: monitor.severity.rawValue)
                            row.element("td") { cell in cell.element("span", ["class": "state \(firing ? "failed" : "succeeded")"], text: firing ? "firing" : "ok") }
                        }
                    }
                }
            }
            main.element("h2", text: "Alerts")
            main.element("table", ["class": "alerts"]) { table in
                table.tableHead(["Fired", "Monitor", "Severity", "State", "What", "Actions", "Resolved"])
                table.element("tbody") { body in
                    for alert in content.alerts {
                        body.element("tr") { row in
                            row.element("td", text: Formatting.date(alert.firedAt))
                            row.element("td", text: alert.monitor)
                            row.element("td", text: alert.severity.rawValue)
                            row.element("td", text: alert.state.rawValue)
                            row.element("td", text: alert.message)
                            row.element("td", text: alert.actions.joined(separator: "; "))
                            row.element("td", text: alert.resolvedAt.map { Formatting.date($0) + (alert.resolution.map { ": " + $0 } ?? "") } ?? "—")
                        }
                    }
                }
            }
            main.element("h2", text: "Drift, last hour")
            switch content.drift {
            case .failure(let error):
                main.element("p", ["class": "muted drift-unavailable"], text: error.message)
            case .success(let report):
                main.element("p", text: "\(report.currentRows) rows against \(report.referenceRows) reference rows: "
                             + "\(report.dataset.columns.filter(\.detected).count) of \(report.dataset.columns.count) columns drifted"
                             + (report.dataset.detected ? " — dataset drift" : ""))
                main.element("div", ["class": "histograms"]) { grid in
                    for column in report.dataset.columns {
                        guard let binning = report.histograms[column.column] else { continue }
                        let verdict = column.detected ? "drift" : "no drift"
                        HistogramChart.render(into: &grid, caption: "\(column.column): \(column.test.rawValue) \(Formatting.number(column.score)) — \(verdict)",
                                              labels: binning.labels, reference: binning.reference, current: binning.current)
                    }
                }
            }
        }
    }
}
