import CairnTracking
import Foundation

/// `/`: every active experiment, filtered with the experiments search grammar.
enum ExperimentsPage {
    /// The mlflow client prints MLflow UI links (`/#/experiments/1/runs/<id>`); send them to the
    /// matching Cairn page.
    static let mlflowLinkRedirect: StaticString = """
        (function () {
          var m = location.hash.match(/^#\\/experiments\\/(\\d+)(?:\\/runs\\/([0-9a-f]+))?/);
          if (m) { location.replace(m[2] ? "/runs/" + m[2] : "/experiments/" + m[1]); }
        })();
        """

    static func render(experiments: [Experiment], filter: String, error: String?) -> String {
        PageLayout.render(title: "Experiments", crumbs: [.init(title: "Experiments", href: nil)]) { main in
            main.element("h1", text: "Experiments")
            FilterForm.render(into: &main, action: "/", value: filter, placeholder: "name LIKE 'churn%'")
            if let error { main.element("p", ["class": "error", "role": "alert"], text: error) }
            main.element("table", ["class": "experiments"]) { table in
                table.tableHead(["Name", "ID", "Created", "Last updated"])
                table.element("tbody") { body in
                    for experiment in experiments {
                        body.element("tr") { row in
                            row.element("td") { $0.element("a", ["href": "/experiments/\(experiment.experimentID)"], text: experiment.name) }
                            row.element("td", ["class": "num"], text: experiment.experimentID)
                            row.element("td", text: Formatting.date(experiment.creationTime))
                            row.element("td", text: Formatting.date(experiment.lastUpdateTime))
                        }
                    }
                }
            }
            if experiments.isEmpty, error == nil { main.element("p", ["class": "muted"], text: "No experiments match.") }
            main.element("script") { $0.raw(mlflowLinkRedirect) }
        }
    }
}
