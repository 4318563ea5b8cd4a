import CairnTracking
import Foundation

/// `/experiments/<id>`: the experiment's runs, 100 a page, with a filter box in MLflow's search
/// grammar, sortable columns, metric and param columns, and checkboxes to compare runs.
enum RunsPage {
    /// What the page was asked for (all of it lives in the URL).
    struct Query {
        var filter: String
        /// An `order_by` clause, e.g. `metrics.loss DESC`; empty for the default (newest first).
        var order: String
        var pageToken: String?
    }

    static let pageSize = 100
    /// Most metric and param columns shown when the URL does not choose them.
    static let defaultColumnsPerKind = 6

    static func render(experiment: Experiment, runs: [Run], nextPageToken: String?, query: Query, error: String?) -> String {
        let path = "/experiments/\(experiment.experimentID)"
        let metricKeys = Array(Set(runs.flatMap { $0.metrics.map(\.key) })).sorted().prefix(defaultColumnsPerKind)
        let paramKeys = Array(Set(runs.flatMap { $0.params.map(\.key) })).sorted().prefix(defaultColumnsPerKind)
        return PageLayout.render(title: experiment.name, crumbs: [.init(title: "Experiments", href: "/"), .init(title: experiment.name, href: nil)]) { main in
            main.element("h1", text: experiment.name)
            FilterForm.render(into: &main, action: path, value: query.filter, placeholder: "metrics.rmse < 1 and params.model = 'tree'",
                              hidden: query.order.isEmpty ? [:] : ["order": query.order])
            if let error { main.element("p", ["class": "error", "role": "alert"], text: error) }
            main.element("form", ["method": "get", "action": "/compare"]) { form in
                form.element("div", ["class": "scroll"]) { scroll in
                    scroll.element("table", ["class": "runs"]) { table in
                        table.element("thead") { head in
                            head.element("tr") { row in
                                row.element("th", text: "")
                                sortHeader(&row, title: "Run", key: "attributes.run_name", path: path, query: query)
                                sortHeader(&row, title: "Status", key: "attributes.status", path: path, query: query)
                                sortHeader(&row, title: "Started", key: "attributes.start_time", path: path, query: query)
                                row.element("th", text: "Duration")
                                for key in metricKeys { sortHeader(&row, title: key, key: "metrics.`\(key)`", path: path, query: query) }
                                for key in paramKeys { sortHeader(&row, title: key, key: "params.`\(key)`", path: path, query: query) }
                            }
                        }
                        table.element("tbody") { body in
                            for run in runs {
                                let metrics = Dictionary(run.metrics.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
                                let params = Dictionary(run.params.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
                                body.element("tr", ["data-run-id": run.info.runID]) { row in
                                    row.element("td") { $0.void("input", ["type": "checkbox", "name": "runs", "value": run.info.runID, "aria-label": "Select \(run.info.runName)"]) }
                                    row.element("td") { $0.element("a", ["href": "/runs/\(run.info.runID)"], text: run.info.runName) }
                                    row.element("td", text: run.info.status.rawValue)
                                    row.element("td", text: Formatting.date(run.info.startTime))
                                    row.element("td", text: Formatting.duration(from: run.info.startTime, to: run.info.endTime))
                                    for key in metricKeys { row.element("td", ["class": "num"], text: metrics[key].map(Formatting.number) ?? "") }
                                    for key in paramKeys { row.element("td", text: params[key] ?? "") }
                                }
                            }
                        }
                    }
                }
                if runs.isEmpty, error == nil { form.element("p", ["class": "muted"], text: "No runs match.") }
                form.element("div", ["class": "pager"]) { pager in
                    pager.element("button", ["type": "submit"], text: "Compare selected")
                    if let nextPageToken {
                        pager.element("a", ["href": link(path, filter: query.filter, order: query.order, pageToken: nextPageToken), "rel": "next"], text: "Next page")
                    }
                }
            }
        }
    }

    /// A header that sorts by `key`, toggling between descending and ascending.
    private static func sortHeader(_ row: inout HTMLWriter, title: String, key: String, path: String, query: Query) {
        let current = query.order.hasPrefix(key + " ") ? String(query.order.dropFirst(key.count + 1)) : nil
        let next = current == "DESC" ? "ASC" : "DESC"
        let marker = current == "DESC" ? " ↓" : current == "ASC" ? " ↑" : ""
        row.element("th", ["aria-sort": current == nil ? nil : current == "DESC" ? "descending" : "ascending"]) { cell in
            cell.element("a", ["href": link(path, filter: query.filter, order: "\(key) \(next)", pageToken: nil)], text: title + marker)
        }
    }

    static func link(_ path: String, filter: String, order: String, pageToken: String?) -> String {
        var components = URLComponents()
        components.path = path
        var items: [URLQueryItem] = []
        if !filter.isEmpty { items.append(URLQueryItem(name: "filter", value: filter)) }
        if !order.isEmpty { items.append(URLQueryItem(name: "order", value: order)) }
        if let pageToken { items.append(URLQueryItem(name: "page_token", value: pageToken)) }
        components.queryItems = items.isEmpty ? nil : items
        // `+` would read back as a space; encode it (and `&`, `=` inside values) explicitly.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.string ?? path
    }
}
