import CairnPipelines

/// A pipeline run's graph as inline SVG: steps in columns by depth (longest path from a step
/// without dependencies), foreach items stacked in their step's column, arrows from each
/// dependency, boxes coloured by state.
enum DAGDiagram {
    static let boxWidth = 150.0, boxHeight = 34.0, columnGap = 60.0, rowGap = 14.0, margin = 10.0

    static let colors: [StepStatus: String] = [
        .pending: "#e5e7eb", .queued: "#fde68a", .running: "#93c5fd", .succeeded: "#86efac", .failed: "#fca5a5",
        .skipped: "#f3f4f6", .cached: "#a7f3d0", .cancelled: "#d1d5db",
    ]

    static func render(into html: inout HTMLWriter, steps: [PipelineStep], dependencies: [String: [String]], link: (String) -> String) {
        var depth: [String: Int] = [:]
        func depthOf(_ name: String, _ visiting: Set<String> = []) -> Int {
            if let known = depth[name] { return known }
            let value = (dependencies[name] ?? []).filter { !visiting.contains($0) }.map { depthOf($0, visiting.union([name])) + 1 }.max() ?? 0
            depth[name] = value
            return value
        }
        var columns: [Int: [PipelineStep]] = [:]
        for step in steps { columns[depthOf(step.stepName), default: []].append(step) }
        var position: [String: (x: Double, y: Double)] = [:]
        for (column, members) in columns {
            for (row, step) in members.enumerated() {
                position[step.stepKey] = (margin + Double(column) * (boxWidth + columnGap), margin + Double(row) * (boxHeight + rowGap))
            }
        }
        let width = margin * 2 + Double((columns.keys.max() ?? 0) + 1) * (boxWidth + columnGap) - columnGap
        let height = margin * 2 + Double(columns.values.map(\.count).max() ?? 1) * (boxHeight + rowGap) - rowGap
        html.element("div", ["class": "scroll"]) { scroll in
            scroll.element("svg", ["class": "dag", "viewBox": "0 0 \(Int(width)) \(Int(height))", "width": "\(Int(width))", "height": "\(Int(height))",
                                   "role": "img", "aria-label": "Pipeline graph"]) { svg in
                for step in steps {
                    guard let to = position[step.stepKey] else { continue }
                    for upstream in steps where (dependencies[step.stepName] ?? []).contains(upstream.stepName) {
                        guard let from = position[upstream.stepKey] else { continue }
                        svg.element("line", ["x1": "\(from.x + boxWidth)", "y1": "\(from.y + boxHeight / 2)", "x2": "\(to.x)", "y2": "\(to.y + boxHeight / 2)",
                                             "stroke": "#9ca3af", "stroke-width": "1.2"], text: "")
                    }
                }
                for step in steps {
                    guard let at = position[step.stepKey] else { continue }
                    // Steps that never ran (pending, skipped, cached) have no log: link to their row.
                    svg.element("a", ["href": step.attempt > 0 ? link(step.stepKey) : "#step-\(step.stepKey)"]) { anchor in
                        anchor.element("g", ["class": "step", "data-step": step.stepKey, "data-status": step.status.rawValue]) { group in
                            group.element("rect", ["x": "\(at.x)", "y": "\(at.y)", "width": "\(boxWidth)", "height": "\(boxHeight)", "rx": "5",
                                                   "fill": colors[step.status] ?? "#fff", "stroke": "#6b7280"], text: "")
                            group.element("text", ["x": "\(at.x + 8)", "y": "\(at.y + 14)", "font-size": "12", "font-weight": "600"], text: step.stepKey)
                            group.element("text", ["x": "\(at.x + 8)", "y": "\(at.y + 28)", "font-size": "11"],
                                          text: step.status.rawValue + (step.startedAt.map { " · " + Formatting.duration(from: $0, to: step.endedAt) } ?? ""))
                        }
                    }
                }
            }
        }
    }
}
