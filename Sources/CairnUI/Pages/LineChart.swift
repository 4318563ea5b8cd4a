/// One or more series on shared axes as an inline SVG line chart. Each series is reduced
/// with LTTB to about one point per horizontal pixel, so a 100,000-step metric draws as fast as a
/// short one; non-finite values (NaN, ±inf) are left out.
enum LineChart {
    static let width = 640.0
    static let height = 200.0
    static let margin = (left: 56.0, right: 12.0, top: 12.0, bottom: 24.0)
    /// Series with at most this many points also get a dot per point.
    static let markedPointsLimit = 50
    static let colors = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777"]

    static func render(into html: inout HTMLWriter, caption: String, axis: ChartAxis, series: [(name: String, points: [LTTB.Point])]) {
        render(into: &html, caption: caption, axisName: axis.rawValue, xUnit: axis.unitLabel, series: series)
    }

    /// `axisName` tags the SVG (`data-axis`); `xUnit` is written before the smallest x value.
    static func render(into html: inout HTMLWriter, caption: String, axisName: String, xUnit: String, series: [(name: String, points: [LTTB.Point])]) {
        let plotWidth = width - margin.left - margin.right, plotHeight = height - margin.top - margin.bottom
        let shown = series.map { LTTB.downsample($0.points.filter { $0.x.isFinite && $0.y.isFinite }, threshold: Int(plotWidth)) }
        let all = shown.flatMap { $0 }
        html.element("figure", ["class": "chart"]) { figure in
            figure.element("figcaption", text: caption)
            guard let minX = all.map(\.x).min(), let maxX = all.map(\.x).max(),
                  let minY = all.map(\.y).min(), let maxY = all.map(\.y).max() else {
                figure.element("p", ["class": "muted"], text: "No finite values to draw.")
                return
            }
            func px(_ x: Double) -> Double { margin.left + (maxX == minX ? plotWidth / 2 : (x - minX) / (maxX - minX) * plotWidth) }
            func py(_ y: Double) -> Double { margin.top + (maxY == minY ? plotHeight / 2 : (maxY - y) / (maxY - minY) * plotHeight) }
            figure.element("svg", ["viewBox": "0 0 \(Int(width)) \(Int(height))", "width": "\(Int(width))", "height": "\(Int(height))",
                                   "role": "img", "aria-label": caption, "data-points": String(all.count), "data-axis": axisName]) { svg in
                let baseline = "\(margin.top + plotHeight)"
                svg.element("line", ["x1": "\(margin.left)", "y1": baseline, "x2": "\(width - margin.right)", "y2": baseline, "stroke": "#9ca3af"])
                svg.element("line", ["x1": "\(margin.left)", "y1": "\(margin.top)", "x2": "\(margin.left)", "y2": baseline, "stroke": "#9ca3af"])
                svg.element("text", ["x": "4", "y": "\(margin.top + 10)", "font-size": "11"], text: Formatting.number(maxY))
                svg.element("text", ["x": "4", "y": baseline, "font-size": "11"], text: Formatting.number(minY))
                svg.element("text", ["x": "\(margin.left)", "y": "\(height - 6)", "font-size": "11"], text: "\(xUnit) \(Formatting.number(minX))")
                svg.element("text", ["x": "\(width - margin.right)", "y": "\(height - 6)", "font-size": "11", "text-anchor": "end"],
                            text: Formatting.number(maxX))
                for (index, points) in shown.enumerated() where !points.isEmpty {
                    // One decimal is plenty at this size and keeps the SVG small.
                    let line = points.map { "\(px($0.x).rounded1),\(py($0.y).rounded1)" }.joined(separator: " ")
                    svg.element("polyline", ["points": line, "fill": "none", "stroke": colors[index % colors.count],
                                             "stroke-width": "1.5", "data-series": series[index].name])
                    // A line through a handful of points (or one) is hard to see; mark each point.
                    if points.count <= markedPointsLimit {
                        for point in points {
                            svg.element("circle", ["cx": "\(px(point.x).rounded1)", "cy": "\(py(point.y).rounded1)", "r": "3",
                                                   "fill": colors[index % colors.count]], text: "")
                        }
                    }
                }
            }
            if series.count > 1 {
                figure.element("ul", ["class": "legend"]) { legend in
                    for (index, entry) in series.enumerated() {
                        legend.element("li") { item in
                            item.element("span", ["class": "swatch", "style": "background: \(colors[index % colors.count])"], text: "")
                            item.text(entry.name)
                        }
                    }
                }
            }
        }
    }
}

private extension Double {
    var rounded1: Double { (self * 10).rounded() / 10 }
}
