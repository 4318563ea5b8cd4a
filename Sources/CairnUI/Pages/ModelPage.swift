import CairnRegistry
import CairnStorage
import Foundation

/// `/models/<name>`: a model's versions with their stages, aliases and source runs, its promotion
/// policies and history; with `?version=N`, that version's lineage and frozen file manifest too.
enum ModelPage {
    struct Selected {
        var lineage: ModelVersionLineage
        var files: [ManifestEntry]
    }

    static func path(_ name: String, version: Int64? = nil) -> String {
        "/models/\(Formatting.pathSegment(name))" + (version.map { "?version=\($0)" } ?? "")
    }

    static func render(model: RegisteredModel, versions: [ModelVersion], policies: [PromotionPolicy], history: [Event], selected: Selected?) -> String {
        PageLayout.render(title: model.name, crumbs: [.init(title: "Models", href: "/models"), .init(title: model.name, href: nil)]) { main in
            main.element("h1", text: model.name)
            if let description = model.description, !description.isEmpty { main.element("p", text: description) }
            main.element("table", ["class": "versions"]) { table in
                table.tableHead(["Version", "Stage", "Aliases", "Source run", "Registered"])
                table.element("tbody") { body in
                    for version in versions {
                        body.element("tr", ["class": selected?.lineage.version.version == version.version ? "selected" : nil]) { row in
                            row.element("td") { $0.element("a", ["href": path(model.name, version: version.version)], text: "v\(version.version)") }
                            row.element("td", text: version.stage.rawValue)
                            row.element("td", text: version.aliases.map { "@\($0)" }.joined(separator: " "))
                            row.element("td") { cell in
                                if let runID = version.runID { cell.element("a", ["href": "/runs/\(runID)"], text: runID) }
                            }
                            row.element("td", text: Formatting.date(version.creationTimestamp))
                        }
                    }
                }
            }
            if !policies.isEmpty {
                main.element("h2", text: "Promotion policies")
                main.element("ul") { list in
                    for policy in policies {
                        let rules = policy.rules + (policy.requiredApprovals > 0 ? ["\(policy.requiredApprovals) approvals"] : [])
                        list.element("li", text: "\(policy.target.description): " + (rules.isEmpty ? "no rules" : rules.joined(separator: "; ")))
                    }
                }
            }
            if let selected { renderVersion(&main, selected) }
            main.element("h2", text: "History")
            main.element("table", ["class": "history"]) { table in
                table.element("tbody") { body in
                    for event in history.reversed() {
                        body.element("tr") { row in
                            row.element("td", text: Formatting.date(event.createdAt))
                            row.element("td", text: event.type)
                            row.element("td", text: event.subject.components(separatedBy: "/versions/").last.map { "v\($0)" } ?? "")
                            row.element("td", text: event.actor.isEmpty ? "—" : event.actor)
                            row.element("td", ["class": "payload"], text: event.payloadJSON)
                        }
                    }
                }
            }
        }
    }

    private static func renderVersion(_ main: inout HTMLWriter, _ selected: Selected) {
        let lineage = selected.lineage
        main.element("h2", text: "Version \(lineage.version.version): lineage")
        main.element("table", ["class": "kv lineage"]) { table in
            table.element("tbody") { body in
                func row(_ label: String, _ value: String?) {
                    guard let value, !value.isEmpty else { return }
                    body.element("tr") { $0.element("th", text: label); $0.element("td", text: value) }
                }
                row("Source", lineage.version.source)
                row("Run", lineage.run.map { "\($0.info.runName) (\($0.info.runID))" })
                row("Params", lineage.run?.params.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
                row("Metrics", lineage.run?.metrics.map { "\($0.key)=\(Formatting.number($0.value))" }.joined(separator: ", "))
                row("Datasets", lineage.datasets.map { "\($0.dataset.name) @ \($0.dataset.digest)" }.joined(separator: ", "))
                row("Git commit", lineage.gitCommit)
                row("Code", lineage.sourceName)
                row("Pipeline run", lineage.pipelineRunID)
            }
        }
        main.element("h2", text: "Version \(lineage.version.version): files")
        if lineage.version.storageLocation == nil {
            main.element("p", ["class": "muted"], text: "Registered from a source outside Cairn's store; its files are not frozen.")
            return
        }
        main.element("table", ["class": "manifest"]) { table in
            table.tableHead(["Path", "Bytes", "SHA-256"])
            table.element("tbody") { body in
                for file in selected.files {
                    body.element("tr") { row in
                        row.element("td", ["class": "path"], text: file.path)
                        row.element("td", ["class": "num"], text: String(file.size))
                        row.element("td", ["class": "hash"], text: file.sha256)
                    }
                }
            }
        }
    }
}
