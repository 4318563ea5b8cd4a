import CairnRegistry

/// `/models`: registered models with their newest version, stages and aliases.
enum ModelsPage {
    static func render(models: [RegisteredModel], filter: String, error: String?) -> String {
        PageLayout.render(title: "Models", crumbs: [.init(title: "Models", href: nil)]) { main in
            main.element("h1", text: "Models")
            FilterForm.render(into: &main, action: "/models", value: filter, placeholder: "name LIKE 'churn%'")
            if let error { main.element("p", ["class": "error", "role": "alert"], text: error) }
            main.element("table", ["class": "models"]) { table in
                table.tableHead(["Name", "Latest version", "Stages", "Aliases", "Last updated"])
                table.element("tbody") { body in
                    for model in models {
                        body.element("tr") { row in
                            row.element("td") { $0.element("a", ["href": ModelPage.path(model.name)], text: model.name) }
                            row.element("td", ["class": "num"], text: model.latestVersions.map(\.version).max().map { "v\($0)" } ?? "")
                            row.element("td", text: model.latestVersions.filter { $0.stage != .none }
                                .map { "\($0.stage.rawValue): v\($0.version)" }.joined(separator: ", "))
                            row.element("td", text: model.aliases.map { "@\($0.alias): v\($0.version)" }.joined(separator: ", "))
                            row.element("td", text: Formatting.date(model.lastUpdatedTimestamp))
                        }
                    }
                }
            }
            if models.isEmpty, error == nil { main.element("p", ["class": "muted"], text: "No registered models match.") }
        }
    }
}
