/// Two distributions over the same bins as an inline SVG bar chart: the reference in grey, the
/// current sample in blue beside it, each bar the share of its own sample.
enum HistogramChart {
    static let width = 320.0
    static let height = 120.0
    static let bottom = 16.0
    static let referenceColor = "#9ca3af"
    static let currentColor = "#2563eb"

    static func render(into html: inout HTMLWriter, caption: String, labels: [String], reference: [Double], current: [Double]) {
        html.element("figure", ["class": "histogram"]) { figure in
            figure.element("figcaption", text: caption)
            let bins = max(labels.count, 1)
            let tallest = max((reference + current).max() ?? 0, 1e-12)
            let slot = width / Double(bins)
            let bar = max(1, slot / 2 - 1)
            let plot = height - bottom
            figure.element("svg", ["viewBox": "0 0 \(Int(width)) \(Int(height))", "width": "\(Int(width))", "height": "\(Int(height))",
                                   "role": "img", "aria-label": caption, "data-bins": String(labels.count)]) { svg in
                for index in 0..<labels.count {
                    for (offset, shares, color, side) in [(0.0, reference, referenceColor, "reference"), (bar, current, currentColor, "current")] {
                        let share = index < shares.count ? shares[index] : 0
                        let barHeight = share / tallest * (plot - 4)
                        svg.element("rect", ["x": String(format: "%.1f", Double(index) * slot + offset), "y": String(format: "%.1f", plot - barHeight),
                                             "width": String(format: "%.1f", bar), "height": String(format: "%.1f", barHeight), "fill": color,
                                             "data-side": side]) { rect in
                            rect.element("title", text: "\(labels[index]): \(side) \(Formatting.number(share * 100)) %")
                        }
                    }
                }
                svg.element("line", ["x1": "0", "y1": "\(plot)", "x2": "\(width)", "y2": "\(plot)", "stroke": "#6b7280"])
                if let first = labels.first, let last = labels.last {
                    svg.element("text", ["x": "0", "y": "\(height - 3)", "font-size": "10"], text: first)
                    svg.element("text", ["x": "\(width)", "y": "\(height - 3)", "font-size": "10", "text-anchor": "end"], text: last)
                }
            }
        }
    }
}
