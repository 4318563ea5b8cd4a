import CairnTracking
import Foundation

/// `/experiments/<id>`: the experiment's runs, 100 a page, with a filter box in MLflow's search
/// grammar, sortable columns, a column picker for metrics, params and tags, and checkboxes to
/// compare runs.
enum RunsPage {
    /// What the page was asked for (all of it lives in the URL, so every view can be linked to).
    struct Query {
        var filter: String
        /// An `order_by` clause, e.g. `metrics.loss DESC`; empty for the default (newest first).
        var order: String
        var pageToken: String?
        /// The chosen columns (`col=` in the URL); nil shows the first few metrics and params.
        var columns: [RunColumn]?

        /// The URL of this view at `path`.
        func link(_ path: String) -> String {
            var items: [URLQueryItem] = []
            if !filter.isEmpty { items.append(URLQueryItem(name: "filter", value: filter)) }
            if !order.isEmpty { items.append(URLQueryItem(name: "order", value: order)) }
            if let columns {
                // An empty `col=` keeps "no columns" distinct from "default columns".
                if columns.isEmpty { items.append(URLQueryItem(name: "col", value: "")) }
                for column in columns { items.append(URLQueryItem(name: "col", value: column.spec)) }
            }
            if let pageToken { items.append(URLQueryItem(name: "page_token", value: pageToken)) }
            var components = URLComponents()
            components.path = path
            components.queryItems = items.isEmpty ? nil : items
            // `+` would read back as a space; encode it (and `&`, `=` inside values) explicitly.
            components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
            return components.string ?? path
        }

        /// The form fields that carry this view's filter, order and columns through another form.
        func hiddenFields(keepingFilter: Bool, keepingColumns: Bool) -> [(name: String, value: String)] {
            var fields: [(name: String, value: String)] = []
            if keepingFilter, !filter.isEmpty { fields.append(("filter", filter)) }
            if !order.isEmpty { fields.append(("order", order)) }
            if keepingColumns { fields += (columns ?? []).map { ("col", $0.spec) } }
            return fields
        }
    }

    static let pageSize = 100
    /// Most metric and param columns shown when the URL does not choose them.
    static let defaultColumnsPerKind = 6

    static func render(experiment: Experiment, runs: [Run], nextPageToken: String?, query: Query, error: String?) -> String {
        let path = "/experiments/\(experiment.experimentID)"
        let available = availableColumns(runs, chosen: query.columns ?? [])
        let columns = query.columns ?? defaultColumns(available)
        return PageLayout.render(title: experiment.name, crumbs: [.init(title: "Experiments", href: "/"), .init(title: experiment.name, href: nil)]) { main in
            main.element("h1", text: experiment.name)
            FilterForm.render(into: &main, action: path, value: query.filter, placeholder: "metrics.rmse < 1 and params.model = 'tree'",
                              hidden: query.hiddenFields(keepingFilter: false, keepingColumns: true))
            if let error { main.element("p", ["class": "error", "role": "alert"], text: error) }
            ColumnPicker.render(into: &main, action: path, available: available, chosen: Set(columns),
                                hidden: query.hiddenFields(keepingFilter: true, keepingColumns: false))
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
                                for column in columns { sortHeader(&row, title: column.key, key: column.orderKey, path: path, query: query, kind: column.kind) }
                            }
                        }
                        table.element("tbody") { body in
                            for run in runs { renderRow(into: &body, run: run, columns: columns) }
                        }
                    }
                }
                if runs.isEmpty, error == nil { form.element("p", ["class": "muted"], text: "No runs match.") }
                form.element("div", ["class": "pager"]) { pager in
                    pager.element("button", ["type": "submit"], text: "Compare selected")
                    if let nextPageToken {
                        var next = query
                        next.pageToken = nextPageToken
                        pager.element("a", ["href": next.link(path), "rel": "next"], text: "Next page")
                    }
                }
            }
        }
    }

    private static func renderRow(into body: inout HTMLWriter, run: Run, columns: [RunColumn]) {
        let metrics = Dictionary(run.metrics.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        let params = Dictionary(run.params.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        let tags = Dictionary(run.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        body.element("tr", ["data-run-id": run.info.runID]) { row in
            row.element("td") { $0.void("input", ["type": "checkbox", "name": "runs", "value": run.info.runID, "aria-label": "Select \(run.info.runName)"]) }
            row.element("td") { $0.element("a", ["href": "/runs/\(run.info.runID)"], text: run.info.runName) }
            row.element("td", text: run.info.status.rawValue)
            row.element("td", text: Formatting.date(run.info.startTime))
            row.element("td", text: Formatting.duration(from: run.info.startTime, to: run.info.endTime))
            for column in columns {
                switch column.kind {
                case .metrics: row.element("td", ["class": "num"], text: metrics[column.key].map(Formatting.number) ?? "")
                case .params: row.element("td", text: params[column.key] ?? "")
                case .tags: row.element("td", text: tags[column.key] ?? "")
                }
            }
        }
    }

    /// Every metric, param and user tag (not `mlflow.*`) on this page's runs, plus the chosen
    /// columns, so a chosen column stays offered even on a page where no run has it.
    static func availableColumns(_ runs: [Run], chosen: [RunColumn]) -> [RunColumn] {
        var columns = Set(chosen)
        for run in runs {
            for metric in run.metrics { columns.insert(RunColumn(kind: .metrics, key: metric.key)) }
            for param in run.params { columns.insert(RunColumn(kind: .params, key: param.key)) }
            for tag in run.tags where !tag.key.hasPrefix("mlflow.") { columns.insert(RunColumn(kind: .tags, key: tag.key)) }
        }
        return columns.sorted()
    }

    /// The first few metrics and params, when the URL does not choose columns.
    static func defaultColumns(_ available: [RunColumn]) -> [RunColumn] {
        Array(available.filter { $0.kind == .metrics }.prefix(defaultColumnsPerKind))
            + Array(available.filter { $0.kind == .params }.prefix(defaultColumnsPerKind))
    }

    /// A header that sorts by `key`, toggling between descending and ascending.
    private static func sortHeader(_ row: inout HTMLWriter, title: String, key: String, path: String, query: Query, kind: RunColumn.Kind? = nil) {
        let current = query.order.hasPrefix(key + " ") ? String(query.order.dropFirst(key.count + 1)) : nil
        let marker = current == "DESC" ? " ↓" : current == "ASC" ? " ↑" : ""
        var sorted = query
        sorted.order = "\(key) \(current == "DESC" ? "ASC" : "DESC")"
        sorted.pageToken = nil
        row.element("th", ["aria-sort": current == nil ? nil : current == "DESC" ? "descending" : "ascending",
                           "class": kind.map { "col-\($0.rawValue)" }]) { cell in
            cell.element("a", ["href": sorted.link(path)], text: title + marker)
        }
    }
}
