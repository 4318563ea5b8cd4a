import CairnDeploy

/// `/deployments`: every deployment with what it serves, its traffic split, replicas and rollout.
enum DeploymentsPage {
    static func render(_ deployments: [(Deployment, LiveStatus)]) -> String {
        PageLayout.render(title: "Deployments", crumbs: [.init(title: "Deployments", href: nil)], refreshSeconds: 5) { main in
            main.element("h1", text: "Deployments")
            main.element("table", ["class": "deployments"]) { table in
                table.tableHead(["Deployment", "Model", "Strategy", "Traffic", "Replicas ready", "Rollout"])
                table.element("tbody") { body in
                    for (deployment, live) in deployments {
                        body.element("tr") { row in
                            row.element("td") { $0.element("a", ["href": DeploymentPage.path(deployment.name)], text: deployment.name) }
                            row.element("td", text: DeploymentPage.serving(deployment))
                            row.element("td", text: deployment.spec.strategy.rawValue)
                            row.element("td", text: DeploymentPage.splitText(deployment))
                            let replicas = live.replicas.values.flatMap { $0 }
                            row.element("td", text: "\(replicas.filter(\.ready).count)/\(replicas.count)")
                            row.element("td", text: deployment.progress.rollout.map(DeploymentPage.rolloutText) ?? "—")
                        }
                    }
                }
            }
            if deployments.isEmpty {
                main.element("p", ["class": "muted"], text: "No deployments yet. Create one with `cairn deploy create NAME --model MODEL --version N`.")
            }
        }
    }
}
