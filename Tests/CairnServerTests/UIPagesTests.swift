import CairnServer
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The web UI's pages through the router, fed through the MLflow API as a client would.
@Suite("Web UI pages")
struct UIPagesTests {
    static func post(_ client: any TestClientProtocol, _ path: String, _ body: String) async throws -> [String: Any] {
        let response = try await MLflowAPIErrorTests.post(client, path, body)
        #expect(response.status == .ok, "\(path): \(String(buffer: response.body))")
        return (try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:]
    }

    static func page(_ client: any TestClientProtocol, _ uri: String) async throws -> (HTTPResponse.Status, String) {
        let response = try await client.execute(uri: uri, method: .get)
        #expect(response.headers[.contentType] == "text/html; charset=utf-8")
        return (response.status, String(buffer: response.body))
    }

    /// Creates an experiment with `count` runs named `run-<i>`, each with metric `loss` = i and a hostile param.
    static func experiment(_ client: any TestClientProtocol, name: String, runs count: Int) async throws -> String {
        let experimentID = try await post(client, "/experiments/create", #"{"name": "\#(name)"}"#)["experiment_id"] as! String
        for index in 0..<count {
            let run = try await post(client, "/runs/create", #"{"experiment_id": "\#(experimentID)", "run_name": "run-\#(index)", "start_time": \#(1_000 + index)}"#)
            let runID = ((run["run"] as! [String: Any])["info"] as! [String: Any])["run_id"] as! String
            _ = try await post(client, "/runs/log-batch", #"""
                {"run_id": "\#(runID)", "metrics": [{"key": "loss", "value": \#(index), "timestamp": 1, "step": 0}],
                 "params": [{"key": "note", "value": "<img src=x onerror=alert(\#(index))>"}]}
                """#)
        }
        return experimentID
    }

    @Test("User text is escaped on the experiments list and the runs table")
    func escaping() async throws {
        try await MLflowAPIErrorTests.withClient { client in
            let id = try await Self.experiment(client, name: "<script>alert('x')</script>", runs: 2)
            let (status, list) = try await Self.page(client, "/")
            #expect(status == .ok)
            #expect(list.contains("&lt;script&gt;alert('x')&lt;/script&gt;"))
            #expect(!list.contains("<script>alert"))
            #expect(list.contains("location.replace"))  // MLflow-style /#/experiments/… links are redirected
            let (_, runs) = try await Self.page(client, "/experiments/\(id)")
            #expect(runs.contains("&lt;img src=x onerror=alert(1)&gt;"))
            #expect(!runs.contains("<img"))
        }
    }

    @Test("The runs table sorts by a metric, pages by 100 and shows a bad filter inline")
    func runsTable() async throws {
        try await MLflowAPIErrorTests.withClient { client in
            let id = try await Self.experiment(client, name: "many", runs: 120)
            let (_, ascending) = try await Self.page(client, "/experiments/\(id)?order=metrics.%60loss%60%20ASC")
            let names = ascending.matches(of: /<a href="\/runs\/[0-9a-f]+">(run-\d+)<\/a>/).map { String($0.output.1) }
            #expect(names.count == 100)
            #expect(Array(names.prefix(3)) == ["run-0", "run-1", "run-2"])
            #expect(ascending.contains("rel=\"next\""))
            #expect(ascending.contains("aria-sort=\"ascending\""))

            // As a GET form sends it: spaces as `+`.
            let (_, filtered) = try await Self.page(client, "/experiments/\(id)?filter=metrics.loss+%3E%3D+118")
            let kept = filtered.matches(of: /<a href="\/runs\/[0-9a-f]+">(run-\d+)<\/a>/).map { String($0.output.1) }
            #expect(Set(kept) == ["run-118", "run-119"])
            #expect(!filtered.contains("rel=\"next\""))

            let (status, invalid) = try await Self.page(client, "/experiments/\(id)?filter=metrics.loss%20%3E%3E%201")
            #expect(status == .badRequest)
            #expect(invalid.contains("<p class=\"error\" role=\"alert\">Invalid comparator"))
            #expect(invalid.contains("value=\"metrics.loss &gt;&gt; 1\""))
        }
    }

    @Test("The column picker chooses metric, param and tag columns, kept across sorting and paging")
    func columnPicker() async throws {
        try await MLflowAPIErrorTests.withClient { client in
            let id = try await Self.experiment(client, name: "columns", runs: 101)
            let first = try await Self.post(client, "/runs/search", #"{"experiment_ids": ["\#(id)"], "max_results": 1, "order_by": ["metrics.loss ASC"]}"#)
            let runID = (((first["runs"] as! [[String: Any]])[0])["info"] as! [String: Any])["run_id"] as! String
            _ = try await Self.post(client, "/runs/set-tag", #"{"run_id": "\#(runID)", "key": "team x", "value": "<b>vision</b>"}"#)

            let (_, defaults) = try await Self.page(client, "/experiments/\(id)?order=metrics.%60loss%60%20ASC")
            #expect(defaults.contains("class=\"col-metrics\""))
            #expect(defaults.contains("<input type=\"checkbox\" name=\"col\" value=\"tags.team x\">"))  // offered, not shown

            let chosen = "/experiments/\(id)?order=metrics.%60loss%60%20ASC&col=tags.team%20x&col=params.note"
            let (status, page) = try await Self.page(client, chosen)
            #expect(status == .ok)
            #expect(page.contains("<th class=\"col-tags\""))
            #expect(page.contains("<td>&lt;b&gt;vision&lt;/b&gt;</td>"))
            #expect(!page.contains("class=\"col-metrics\""))
            #expect(page.contains("value=\"tags.team x\" checked"))
            // Sorting by the tag column and the next page keep the chosen columns.
            #expect(page.contains("order=tags.%60team%20x%60%20DESC&amp;col=tags.team%20x&amp;col=params.note"))
            let next = page.firstMatch(of: /href="([^"]+)" rel="next"/).map { String($0.output.1) } ?? ""
            #expect(next.contains("col=params.note"))

            let (badStatus, bad) = try await Self.page(client, "/experiments/\(id)?col=bogus")
            #expect(badStatus == .badRequest)
            #expect(bad.contains("Invalid column 'bogus'"))
        }
    }

    @Test("A pipeline run's page shows its graph, steps and states, escaped; the list links to it")
    func pipelinePages() async throws {
        try await MLflowAPIErrorTests.withClient { client in
            let spec = #"""
                name: ui-pipeline
                params:
                  note: {type: string, default: "<script>alert(1)</script>"}
                steps:
                  prepare: {command: 'echo {{params.note}} > {{outputs.data}}/x', outputs: [data]}
                  train: {foreach: [1, 2], command: 'echo {{item}}', inputs: {data: steps.prepare.outputs.data}}
                  evaluate: {command: 'true', needs: [train]}
                """#
            let body = try JSONSerialization.data(withJSONObject: ["spec_yaml": spec])
            let response = try await client.execute(uri: "/api/v1/pipeline-runs", method: .post, headers: MLflowAPIErrorTests.json,
                                                    body: ByteBuffer(bytes: body))
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let submitted = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
            let runID = (submitted["pipeline_run"] as! [String: Any])["run_id"] as! String
            let (status, page) = try await Self.page(client, "/pipeline-runs/\(runID)")
            #expect(status == .ok)
            #expect(page.contains("<svg class=\"dag\""))
            for key in ["prepare", "train[0]", "train[1]", "evaluate"] { #expect(page.contains("data-step=\"\(key)\"")) }
            #expect(page.components(separatedBy: "<line ").count - 1 == 4)  // prepare → train[0], train[1] → evaluate
            #expect(page.contains("note=&lt;script&gt;alert(1)&lt;/script&gt;") && !page.contains("<script>alert"))
            let (_, list) = try await Self.page(client, "/pipelines")
            #expect(list.contains("href=\"/pipeline-runs/\(runID)\""))
            let (missing, _) = try await Self.page(client, "/pipeline-runs/nope")
            #expect(missing == .notFound)
        }
    }

    @Test("An unknown experiment is a 404")
    func unknown() async throws {
        try await MLflowAPIErrorTests.withClient { client in
            let response = try await client.execute(uri: "/experiments/424242", method: .get)
            #expect(response.status == .notFound)
        }
    }

    @Test("The run page shows overview, params, tags and a downsampled chart per metric, escaped")
    func runPage() async throws {
        try await MLflowAPIErrorTests.withClient { client in
            let parent = try await Self.post(client, "/runs/create", #"{"experiment_id": "0", "run_name": "parent"}"#)
            let parentID = ((parent["run"] as! [String: Any])["info"] as! [String: Any])["run_id"] as! String
            let child = try await Self.post(client, "/runs/create", #"""
                {"experiment_id": "0", "run_name": "child <i>", "tags": [{"key": "mlflow.parentRunId", "value": "\#(parentID)"},
                 {"key": "note", "value": "<script>alert(1)</script>"}, {"key": "mlflow.source.git.commit", "value": "abc123"}]}
                """#)
            let childID = ((child["run"] as! [String: Any])["info"] as! [String: Any])["run_id"] as! String
            for start in stride(from: 0, to: 10_000, by: 1000) {
                let points = (start..<start + 1000).map { step in
                    #"{"key": "loss", "value": \#(step == 7_777 ? 50.0 : 1.0 / Double(step + 1)), "timestamp": 1, "step": \#(step)}"#
                }
                _ = try await Self.post(client, "/runs/log-batch", #"{"run_id": "\#(childID)", "metrics": [\#(points.joined(separator: ","))]}"#)
            }
            _ = try await Self.post(client, "/runs/log-parameter", #"{"run_id": "\#(childID)", "key": "depth", "value": "<b>7</b>"}"#)

            let (status, page) = try await Self.page(client, "/runs/\(childID)")
            #expect(status == .ok)
            #expect(page.contains("<h1>child &lt;i&gt;</h1>"))
            #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.contains("<script>"))
            #expect(page.contains("&lt;b&gt;7&lt;/b&gt;"))
            #expect(page.contains("abc123"))
            #expect(page.contains("href=\"/runs/\(parentID)\""))
            #expect(page.contains("loss (10000 points)"))
            let drawn = page.firstMatch(of: /data-points="(\d+)"/).map { Int($0.output.1)! } ?? 0
            #expect(drawn > 100 && drawn <= 600)
            #expect(page.contains(">50<"))  // the spike at step 7,777 survives downsampling as the chart's maximum

            let (_, byTime) = try await Self.page(client, "/runs/\(childID)?x=time")
            #expect(byTime.contains("data-axis=\"time\"") && byTime.contains(">seconds "))
            #expect(byTime.contains("<a href=\"/runs/\(childID)?x=step\">Step</a>"))
            let (badAxis, _) = try await Self.page(client, "/runs/\(childID)?x=epoch")
            #expect(badAxis == .badRequest)

            let (_, parentPage) = try await Self.page(client, "/runs/\(parentID)")
            #expect(parentPage.contains("href=\"/runs/\(childID)\""))
            let (missing, notFound) = try await Self.page(client, "/runs/0123456789abcdef0123456789abcdef")
            #expect(missing == .notFound)
            #expect(notFound.contains("<h1>Not found</h1>"))
        }
    }

    @Test("Compare overlays one metric of the chosen runs and highlights differing rows")
    func compare() async throws {
        try await MLflowAPIErrorTests.withClient { client in
            var ids: [String] = []
            for (name, lr) in [("fast", "0.1"), ("slow", "0.01")] {
                let run = try await Self.post(client, "/runs/create", #"{"experiment_id": "0", "run_name": "\#(name)"}"#)
                let id = ((run["run"] as! [String: Any])["info"] as! [String: Any])["run_id"] as! String
                let points = (0..<50).map { #"{"key": "loss", "value": \#(Double($0) * (name == "fast" ? 0.2 : 0.1)), "timestamp": 1, "step": \#($0)}"# }
                _ = try await Self.post(client, "/runs/log-batch", #"""
                    {"run_id": "\#(id)", "metrics": [\#(points.joined(separator: ","))],
                     "params": [{"key": "lr", "value": "\#(lr)"}, {"key": "seed", "value": "7"}]}
                    """#)
                ids.append(id)
            }
            let (status, page) = try await Self.page(client, "/compare?runs=\(ids[0])&runs=\(ids[1])")
            #expect(status == .ok)
            #expect(page.components(separatedBy: "<polyline ").count - 1 == 2)
            #expect(page.contains("data-series=\"fast\"") && page.contains("data-series=\"slow\""))
            #expect(page.contains("<tr class=\"differs\"><th>param lr</th><td>0.1</td><td>0.01</td></tr>"))
            #expect(page.contains("<tr><th>param seed</th><td>7</td><td>7</td></tr>"))
            let single = try await client.execute(uri: "/compare?runs=\(ids[0])", method: .get)
            #expect(single.status == .badRequest)
        }
    }

    @Test("Models list and model page: versions, stages, aliases, history, lineage and manifest")
    func models() async throws {
        try await MLflowAPIErrorTests.withClient { client in
            let run = try await Self.post(client, "/runs/create", #"{"experiment_id": "0", "run_name": "trainer", "tags": [{"key": "mlflow.source.git.commit", "value": "feedbeef"}]}"#)
            let runID = ((run["run"] as! [String: Any])["info"] as! [String: Any])["run_id"] as! String
            let put = try await client.execute(uri: "/api/2.0/mlflow-artifacts/artifacts/0/\(runID)/artifacts/model/MLmodel", method: .put,
                                               body: ByteBuffer(string: "flavors: {}"))
            #expect(put.status == .ok)
            _ = try await Self.post(client, "/registered-models/create", #"{"name": "churn <i>"}"#)
            for _ in 0..<2 {
                _ = try await Self.post(client, "/model-versions/create", #"{"name": "churn <i>", "source": "runs:/\#(runID)/model", "run_id": "\#(runID)"}"#)
            }
            _ = try await Self.post(client, "/model-versions/transition-stage", #"{"name": "churn <i>", "version": "2", "stage": "Production", "archive_existing_versions": false}"#)
            _ = try await Self.post(client, "/registered-models/alias", #"{"name": "churn <i>", "alias": "champion", "version": "1"}"#)

            let (_, list) = try await Self.page(client, "/models")
            #expect(list.contains(">churn &lt;i&gt;</a>"))
            #expect(list.contains("Production: v2") && list.contains("@champion: v1"))
            let (status, page) = try await Self.page(client, "/models/churn%20%3Ci%3E?version=2")
            #expect(status == .ok)
            #expect(page.contains("<h1>churn &lt;i&gt;</h1>"))
            #expect(page.contains("model_version.stage_changed") && page.contains("model_version.alias_changed"))
            #expect(page.contains("feedbeef"))
            #expect(page.contains("<td class=\"path\">MLmodel</td>"))
            #expect(page.contains("href=\"/runs/\(runID)\""))
            let missing = try await client.execute(uri: "/models/nope", method: .get)
            #expect(missing.status == .notFound)
        }
    }

    @Test("The artifact browser lists folders and previews text, CSV and images, escaped")
    func artifacts() async throws {
        try await MLflowAPIErrorTests.withClient { client in
            let run = try await Self.post(client, "/runs/create", #"{"experiment_id": "0", "run_name": "files"}"#)
            let runID = ((run["run"] as! [String: Any])["info"] as! [String: Any])["run_id"] as! String
            let files: [(String, String)] = [
                ("notes/%3Cb%3E.txt", "<script>alert('artifact')</script>"),
                ("metrics.csv", "name,score\r\n\"a, b\",1\r\nc,2\r\n"),
                ("config.json", #"{"lr": 0.1}"#),
                ("plot.png", "\u{89}PNG fake image bytes"),
            ]
            for (path, body) in files {
                let put = try await client.execute(uri: "/api/2.0/mlflow-artifacts/artifacts/0/\(runID)/artifacts/\(path)", method: .put,
                                                   body: ByteBuffer(string: body))
                #expect(put.status == .ok)
            }
            let (_, root) = try await Self.page(client, "/runs/\(runID)/artifacts")
            #expect(root.contains(">notes/</a>") && root.contains(">metrics.csv</a>"))
            let (_, folder) = try await Self.page(client, "/runs/\(runID)/artifacts?path=notes")
            #expect(folder.contains(">&lt;b&gt;.txt</a>"))
            let (status, text) = try await Self.page(client, "/runs/\(runID)/artifacts?path=notes/%3Cb%3E.txt")
            #expect(status == .ok)
            #expect(text.contains("<pre class=\"preview\">&lt;script&gt;alert('artifact')&lt;/script&gt;</pre>"))
            #expect(!text.contains("<script>alert"))
            let (_, csv) = try await Self.page(client, "/runs/\(runID)/artifacts?path=metrics.csv")
            #expect(csv.contains("<thead><tr><th>name</th><th>score</th></tr></thead>"))
            #expect(csv.contains("<tr><td>a, b</td><td>1</td></tr><tr><td>c</td><td>2</td></tr>"))
            let (_, image) = try await Self.page(client, "/runs/\(runID)/artifacts?path=plot.png")
            #expect(image.contains("<img src=\"/api/2.0/mlflow-artifacts/artifacts/0/\(runID)/artifacts/plot.png\""))
            let (_, json) = try await Self.page(client, "/runs/\(runID)/artifacts?path=config.json")
            #expect(json.contains("{&quot;lr&quot;: 0.1}") || json.contains(#"{"lr": 0.1}"#))
            let escape = try await client.execute(uri: "/runs/\(runID)/artifacts?path=../../x", method: .get)
            #expect(escape.status == .badRequest)
        }
    }
}
