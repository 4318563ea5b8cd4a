/// A metric's history as an inline SVG line chart over steps. Long histories are reduced with LTTB
/// to about one point per horizontal pixel, so a 100,000-step metric draws as fast as a short one.
enum MetricChart {
    static let width = 640.0
    static let height = 200.0
    static let margin = (left: 56.0, right: 12.0, top: 12.0, bottom: 24.0)

    static func render(into html: inout HTMLWriter, title: String, points: [LTTB.Point]) {
        let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
        let shown = LTTB.downsample(finite, threshold: Int(width - margin.left - margin.right))
        html.element("figure", ["class": "chart"]) { figure in
            figure.element("figcaption", text: "\(title) (\(points.count) points)")
            guard let first = shown.first else {
                figure.element("p", ["class": "muted"], text: "No finite values to draw.")
                return
            }
            let xs = shown.map(\.x), ys = shown.map(\.y)
            let (minX, maxX) = (xs.min() ?? first.x, xs.max() ?? first.x)
            let (minY, maxY) = (ys.min() ?? first.y, ys.max() ?? first.y)
            let plotWidth = width - margin.left - margin.right, plotHeight = height - margin.top - margin.bottom
            func px(_ x: Double) -> Double { margin.left + (maxX == minX ? plotWidth / 2 : (x - minX) / (maxX - minX) * plotWidth) }
            func py(_ y: Double) -> Double { margin.top + (maxY == minY ? plotHeight / 2 : (maxY - y) / (maxY - minY) * plotHeight) }
            let polyline = shown.map { "\(Self.coordinate(px($0.x))),\(Self.coordinate(py($0.y)))" }.joined(separator: " ")
            figure.element("svg", ["viewBox": "0 0 \(Int(width)) \(Int(height))", "width": "\(Int(width))", "height": "\(Int(height))",
                                   "role": "img", "aria-label": "\(title) over steps", "data-points": String(shown.count)]) { svg in
                svg.element("line", ["x1": "\(margin.left)", "y1": "\(margin.top + plotHeight)", "x2": "\(width - margin.right)",
                                     "y2": "\(margin.top + plotHeight)", "stroke": "#9ca3af"])
                svg.element("line", ["x1": "\(margin.left)", "y1": "\(margin.top)", "x2": "\(margin.left)",
                                     "y2": "\(margin.top + plotHeight)", "stroke": "#9ca3af"])
                svg.element("text", ["x": "4", "y": "\(margin.top + 10)", "font-size": "11"], text: Formatting.number(maxY))
                svg.element("text", ["x": "4", "y": "\(margin.top + plotHeight)", "font-size": "11"], text: Formatting.number(minY))
                svg.element("text", ["x": "\(margin.left)", "y": "\(height - 6)", "font-size": "11"], text: "step \(Formatting.number(minX))")
                svg.element("text", ["x": "\(width - margin.right)", "y": "\(height - 6)", "font-size": "11", "text-anchor": "end"],
                            text: Formatting.number(maxX))
                svg.element("polyline", ["points": polyline, "fill": "none", "stroke": "#2563eb", "stroke-width": "1.5"])
            }
        }
    }

    /// One decimal is plenty at this size and keeps the SVG small.
    private static func coordinate(_ value: Double) -> String {
        String(Double((value * 10).rounded()) / 10)
    }
}
