import CairnDeploy

/// `/deployments/<name>`: the live traffic split, the rollout in progress and its last verdict,
/// each revision with its replicas and traffic, the A/B test or shadow comparison, and the
/// history of decisions. Reloads itself every few seconds.
enum DeploymentPage {
    static func path(_ name: String) -> String { "/deployments/" + Formatting.pathSegment(name) }

    static func render(_ deployment: Deployment, live: LiveStatus) -> String {
        PageLayout.render(title: deployment.name, crumbs: [.init(title: "Deployments", href: "/deployments"), .init(title: deployment.name, href: nil)],
                          refreshSeconds: 3) { main in
            main.element("h1", text: deployment.name)
            main.element("p", ["class": "muted"], text: "Serves \(serving(deployment)) · strategy \(deployment.spec.strategy.rawValue) · "
                         + "replicas \(deployment.spec.replicas)" + (deployment.spec.autoscales ? "–\(deployment.spec.maxReplicas), autoscaled" : ""))
            main.element("p") { links in links.element("a", ["href": MonitoringPage.path(deployment.name), "class": "monitoring-link"], text: "Monitoring: traffic, alerts, drift") }
            main.element("h2", text: "Traffic")
            main.element("div", ["class": "split"]) { bar in
                for revision in deployment.revisions where revision.percent > 0 {
                    bar.element("span", ["style": "width: \(revision.percent)%", "title": "revision \(revision.number): \(revision.percent) %"],
                                text: "r\(revision.number) · v\(revision.modelVersion) · \(revision.percent) %")
                }
            }
            if let rollout = deployment.progress.rollout {
                main.element("h2", text: "Rollout")
                main.element("table", ["class": "kv rollout"]) { table in
                    row(&table, "Progress", rolloutText(rollout))
                    if rollout.strategy == .canary {
                        row(&table, "Schedule", deployment.spec.canary.steps.map { "\($0.percent) % for \($0.seconds) s" }.joined(separator: " → "))
                    }
                    row(&table, "Step started", Formatting.date(rollout.stepStartedAt))
                    if let verdict = live.verdict ?? rollout.lastVerdict { row(&table, "Last verdict", verdict) }
                    if let shadow = live.shadow {
                        row(&table, "Shadow", "\(shadow.compared) mirrored, \(shadow.disagreements) disagreed, \(shadow.errors) failed")
                    }
                    if let ab = live.abTest {
                        row(&table, "A (revision \(ab.a.revision))", "\(ab.a.successes) of \(ab.a.trials)")
                        row(&table, "B (revision \(ab.b.revision))", "\(ab.b.successes) of \(ab.b.trials)")
                        if let test = ab.test {
                            row(&table, "B − A", "\(Formatting.number(test.difference)) (95 % CI \(Formatting.number(test.confidenceInterval.lowerBound)) to "
                                + "\(Formatting.number(test.confidenceInterval.upperBound))), z = \(Formatting.number(test.z)), p = \(Formatting.number(test.pValue))"
                                + (test.isSignificant() ? ", significant" : ", not significant"))
                        }
                    }
                }
            }
            main.element("h2", text: "Revisions")
            main.element("table", ["class": "revisions"]) { table in
                table.tableHead(["Revision", "Model version", "Traffic", "Replicas", "Requests", "Errors", "p95 ms", "Created"])
                table.element("tbody") { body in
                    for revision in deployment.revisions.reversed() {
                        let window = live.windows[revision.number]
                        let replicas = live.replicas[revision.number, default: []]
                        body.element("tr") { row in
                            row.element("td", text: String(revision.number))
                            row.element("td", text: "\(revision.modelName) v\(revision.modelVersion)")
                            row.element("td", text: "\(revision.percent) %")
                            row.element("td") { cell in
                                if replicas.isEmpty { cell.element("span", ["class": "muted"], text: "stopped") }
                                for replica in replicas {
                                    cell.element("span", ["class": "state \(replica.ready ? "succeeded" : "queued")", "title": replica.url],
                                                 text: replica.ready ? "ready" : "starting")
                                    cell.text(" ")
                                }
                            }
                            row.element("td", text: String(window?.requests ?? 0))
                            row.element("td", text: String(window?.errors ?? 0))
                            row.element("td", text: window?.p95Milliseconds.map(Formatting.number) ?? "—")
                            row.element("td", text: Formatting.date(revision.createdAt))
                        }
                    }
                }
            }
            main.element("h2", text: "History")
            main.element("table", ["class": "events"]) { table in
                table.tableHead(["Time", "Event"])
                table.element("tbody") { body in
                    for event in deployment.progress.events.reversed() {
                        body.element("tr") { row in
                            row.element("td", text: Formatting.date(event.time))
                            row.element("td", text: event.message)
                        }
                    }
                }
            }
        }
    }

    static func serving(_ deployment: Deployment) -> String {
        let spec = deployment.spec
        let live = deployment.current.map { " (version \($0.modelVersion))" } ?? ""
        if let alias = spec.modelAlias { return "\(spec.modelName)@\(alias)" + live }
        return "\(spec.modelName) version \(spec.modelVersion ?? 0)"
    }

    static func splitText(_ deployment: Deployment) -> String {
        deployment.revisions.filter { $0.percent > 0 }.map { "r\($0.number) \($0.percent) %" }.joined(separator: " · ")
    }

    static func rolloutText(_ rollout: Rollout) -> String {
        "\(rollout.strategy.rawValue) of revision \(rollout.candidate) against \(rollout.stable)" + (rollout.paused ? ", paused" : "")
    }

    private static func row(_ table: inout HTMLWriter, _ title: String, _ value: String) {
        table.element("tr") { row in
            row.element("th", text: title)
            row.element("td", text: value)
        }
    }
}
