import CairnCore
import CairnTracking

/// What a chart's x axis measures, chosen with `?x=` on run and compare pages: the step, or the
/// seconds since the run started (MLflow's "relative time"), which lines up runs started apart.
enum ChartAxis: String, CaseIterable {
    case step
    case time

    init(query: String?) throws {
        guard let query, !query.isEmpty else { self = .step; return }
        guard let axis = ChartAxis(rawValue: query) else {
            throw CairnError.invalidParameter("Invalid x axis '\(query)': expected 'step' or 'time'.")
        }
        self = axis
    }

    var title: String {
        switch self {
        case .step: "Step"
        case .time: "Relative time"
        }
    }

    /// The word before the smallest x value under the chart.
    var unitLabel: String {
        switch self {
        case .step: "step"
        case .time: "seconds"
        }
    }

    /// The chart points of a history logged by a run that started at `runStart` (ms), in x order.
    func points(_ history: [MetricPoint], runStart: Int64) -> [LTTB.Point] {
        switch self {
        case .step:
            return history.map { LTTB.Point(x: Double($0.step), y: $0.value) }
        case .time:
            // Steps and wall-clock time usually agree, but nothing forces them to.
            return history.map { LTTB.Point(x: Double($0.timestamp - runStart) / 1000, y: $0.value) }.sorted { $0.x < $1.x }
        }
    }

    /// "Step | Relative time" links to the same page with each axis.
    static func switcher(into html: inout HTMLWriter, current: ChartAxis, link: (ChartAxis) -> String) {
        html.element("p", ["class": "axis"]) { line in
            line.text("X axis: ")
            for (index, axis) in allCases.enumerated() {
                if index > 0 { line.text(" · ") }
                line.element("a", ["href": link(axis), "class": axis == current ? "current" : nil,
                                   "aria-current": axis == current ? "true" : nil], text: axis.title)
            }
        }
    }
}
