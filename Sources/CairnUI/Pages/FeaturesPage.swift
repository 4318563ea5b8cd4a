import CairnCore
import CairnFeatures

/// `/features`: each applied feature repository — its entities, feature views (with how fresh
/// their online values are), feature services — and the materialization history.
enum FeaturesPage {
    struct Project {
        var repository: FeatureRepository
        var version: Int
        var appliedAt: Int64
        var freshness: [FeatureStoreService.Freshness]
        var history: [(run: FeatureStoreService.Materialization, finishedAt: Int64)]
    }

    static func render(_ projects: [Project], now: Int64) -> String {
        PageLayout.render(title: "Features", crumbs: [.init(title: "Features", href: nil)]) { main in
            main.element("h1", text: "Features")
            if projects.isEmpty {
                main.element("p", ["class": "muted"], text: "No feature repository has been applied yet: write a features.yaml and run `cairn features apply`.")
            }
            for project in projects {
                let repository = project.repository
                main.element("h2", text: "\(repository.project) · version \(project.version)")
                main.element("p", ["class": "muted"], text: "Applied \(Formatting.date(project.appliedAt))")
                main.element("table", ["class": "entities"]) { table in
                    table.tableHead(["Entity", "Join keys"])
                    table.element("tbody") { body in
                        for entity in repository.entities {
                            body.element("tr") { row in
                                row.element("td", text: entity.name)
                                row.element("td", text: entity.joinKeys.joined(separator: ", "))
                            }
                        }
                    }
                }
                main.element("table", ["class": "views"]) { table in
                    table.tableHead(["Feature view", "Entities", "Source", "TTL", "Features", "Newest online value", "Last materialized"])
                    table.element("tbody") { body in
                        for view in repository.featureViews {
                            let fresh = project.freshness.first { $0.view == view.name }
                            body.element("tr") { row in
                                row.element("td", text: view.name)
                                row.element("td", text: view.entities.joined(separator: ", "))
                                row.element("td", text: repository.source(view.source)?.path ?? view.source)
                                row.element("td", text: view.ttlSeconds > 0 ? "\(view.ttlSeconds) s" : "none")
                                row.element("td", text: view.features.map { "\($0.name): \($0.type.rawValue)" }.joined(separator: ", "))
                                row.element("td", text: !view.online ? "offline only"
                                            : fresh?.newestEventTime.map { "\(Formatting.date($0 / 1000)) (\(max(0, now - $0 / 1000) / 1000) s old)" } ?? "nothing online")
                                row.element("td", text: fresh?.lastMaterializedAt.map(Formatting.date) ?? "never")
                            }
                        }
                    }
                }
                main.element("table", ["class": "services"]) { table in
                    table.tableHead(["Feature service", "Features"])
                    table.element("tbody") { body in
                        for service in repository.featureServices {
                            body.element("tr") { row in
                                row.element("td", text: service.name)
                                row.element("td", text: service.features.joined(separator: ", "))
                            }
                        }
                    }
                }
                main.element("h3", text: "Materializations")
                main.element("table", ["class": "materializations"]) { table in
                    table.tableHead(["Finished", "Feature view", "From", "To", "Rows written"])
                    table.element("tbody") { body in
                        for entry in project.history {
                            body.element("tr") { row in
                                row.element("td", text: Formatting.date(entry.finishedAt))
                                row.element("td", text: entry.run.view)
                                row.element("td", text: EventTime.format(entry.run.start))
                                row.element("td", text: EventTime.format(entry.run.end))
                                row.element("td", text: String(entry.run.rows))
                            }
                        }
                    }
                }
            }
        }
    }
}
