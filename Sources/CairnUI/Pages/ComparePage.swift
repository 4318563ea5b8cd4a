import CairnTracking
import Foundation

/// `/compare?runs=a&runs=b…`: the chosen metric's curves overlaid, and a table of every param and
/// latest metric side by side, with the rows that differ between the runs highlighted.
enum ComparePage {
    /// Most runs compared at once (one color each).
    static let maxRuns = LineChart.colors.count

    static func render(runs: [Run], metric: String?, axis: ChartAxis, curves: [[LTTB.Point]]) -> String {
        PageLayout.render(title: "Compare runs", crumbs: [.init(title: "Experiments", href: "/"), .init(title: "Compare \(runs.count) runs", href: nil)]) { main in
            main.element("h1", text: "Compare \(runs.count) runs")
            let metricKeys = Array(Set(runs.flatMap { $0.metrics.map(\.key) })).sorted()
            if let metric {
                main.element("form", ["method": "get", "action": "/compare", "class": "filter"]) { form in
                    for run in runs { form.void("input", ["type": "hidden", "name": "runs", "value": run.info.runID]) }
                    form.element("select", ["name": "metric", "aria-label": "Metric"]) { select in
                        for key in metricKeys {
                            select.element("option", ["value": key, "selected": key == metric ? "selected" : nil], text: key)
                        }
                    }
                    form.void("input", ["type": "hidden", "name": "x", "value": axis.rawValue])
                    form.element("button", ["type": "submit"], text: "Show")
                }
                ChartAxis.switcher(into: &main, current: axis) { link(runs: runs, metric: metric, axis: $0) }
                LineChart.render(into: &main, caption: metric, axis: axis, series: zip(runs, curves).map { ($0.info.runName, $1) })
            }
            main.element("div", ["class": "scroll"]) { scroll in
                scroll.element("table", ["class": "compare"]) { table in
                    table.element("thead") { head in
                        head.element("tr") { row in
                            row.element("th", text: "")
                            for run in runs { row.element("th") { $0.element("a", ["href": "/runs/\(run.info.runID)"], text: run.info.runName) } }
                        }
                    }
                    table.element("tbody") { body in
                        let params = runs.map { Dictionary($0.params.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last }) }
                        let metrics = runs.map { Dictionary($0.metrics.map { ($0.key, Formatting.number($0.value)) }, uniquingKeysWith: { _, last in last }) }
                        for key in Set(params.flatMap(\.keys)).sorted() { row(&body, label: "param \(key)", values: params.map { $0[key] }) }
                        for key in metricKeys { row(&body, label: "metric \(key)", values: metrics.map { $0[key] }) }
                    }
                }
            }
        }
    }

    static func link(runs: [Run], metric: String, axis: ChartAxis) -> String {
        var components = URLComponents()
        components.path = "/compare"
        components.queryItems = runs.map { URLQueryItem(name: "runs", value: $0.info.runID) }
            + [URLQueryItem(name: "metric", value: metric), URLQueryItem(name: "x", value: axis.rawValue)]
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.string ?? "/compare"
    }

    private static func row(_ body: inout HTMLWriter, label: String, values: [String?]) {
        let differs = Set(values.map { $0 ?? "\u{0}" }).count > 1
        body.element("tr", ["class": differs ? "differs" : nil]) { row in
            row.element("th", text: label)
            for value in values { row.element("td", text: value ?? "—") }
        }
    }
}
