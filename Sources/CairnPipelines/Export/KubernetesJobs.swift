/// A pipeline as plain `batch/v1` Jobs, one per step (per item of a foreach step), listed in
/// dependency order. Step folders live on a shared volume (`persistentVolumeClaim`
/// `cairn-pipeline-data`, one folder per step and output under the run id), so a downstream Job
/// reads what an upstream one wrote; a fan-in step sees one sub-folder per item. Ordering and
/// conditions are annotations (`cairn.dev/needs`, `cairn.dev/when`): plain Jobs have no DAG, so
/// whatever applies the manifests must wait for each Job's upstream to complete.
enum KubernetesJobs {
    static let volumeClaim = "cairn-pipeline-data"

    static func manifests(_ spec: PipelineSpec, image: String) throws -> [YAMLNode] {
        var jobs: [YAMLNode] = []
        for step in order(spec) {
            let items: [ExpressionValue?]
            switch step.foreach {
            case .items(let list): items = list
            case .param(let name):
                guard case .list(let list) = spec.param(named: name)?.defaultValue ?? .null else {
                    throw PipelineExportError(description: "steps.\(step.name).foreach: params.\(name) has no default list to expand into Jobs")
                }
                items = list
            case nil: items = [nil]
            }
            for (index, item) in items.enumerated() {
                jobs.append(try job(step, index: step.foreach == nil ? nil : index, item: item, in: spec, image: image))
            }
        }
        return jobs
    }

    /// Steps in an order where every step comes after the steps it needs (the spec is acyclic).
    static func order(_ spec: PipelineSpec) -> [StepSpec] {
        var done = Set<String>(), ordered: [StepSpec] = []
        while ordered.count < spec.steps.count {
            for step in spec.steps where !done.contains(step.name) && step.dependencies.allSatisfy(done.contains) {
                ordered.append(step)
                done.insert(step.name)
            }
        }
        return ordered
    }

    private static func job(_ step: StepSpec, index: Int?, item: ExpressionValue?, in spec: PipelineSpec, image: String) throws -> YAMLNode {
        let data = "/cairn/data/$(CAIRN_RUN_ID)"
        let folder = "\(data)/\(step.name)" + (index.map { "/\($0)" } ?? "")
        var links = ["mkdir -p /cairn/inputs /cairn/outputs"]
        for output in step.outputs {
            links.append("mkdir -p \(folder)/\(output) && ln -sfn \(folder)/\(output) /cairn/outputs/\(output)")
        }
        for input in step.inputs {
            switch input.source {
            case .stepOutput(let producer, let output):
                let fansOut = spec.step(named: producer)?.foreach != nil
                // A fan-in reads every item: link a folder of per-item links.
                links.append(fansOut
                    ? "mkdir -p /cairn/inputs/\(input.name) && for d in \(data)/\(producer)/*/; do ln -sfn \"$d\(output)\" /cairn/inputs/\(input.name)/$(basename \"$d\"); done"
                    : "ln -sfn \(data)/\(producer)/\(output) /cairn/inputs/\(input.name)")
            case .param(let name):
                links.append("printf '%s' '\((spec.param(named: name)?.defaultValue?.plainText ?? "").replacingOccurrences(of: "'", with: "'\\''"))' > /cairn/inputs/\(input.name)")
            case .runArtifact(let uri), .model(let uri):
                throw PipelineExportError(description: "steps.\(step.name).inputs.\(input.name): '\(uri)' lives in Cairn's store; exported Jobs cannot read it")
            }
        }
        let command = try PipelineExporter.command(step, item: item?.plainText ?? "",
                                                   param: { spec.param(named: $0)?.defaultValue?.plainText ?? "" }, runID: "$(CAIRN_RUN_ID)")
        let key = PipelineStep.key(step.name, index: index)
        var annotations: [(String, YAMLNode)] = [("cairn.dev/step", .string(key))]
        if !step.dependencies.isEmpty { annotations.append(("cairn.dev/needs", .string(step.dependencies.joined(separator: ",")))) }
        if let condition = step.when { annotations.append(("cairn.dev/when", .string(condition))) }
        var jobSpec: [(String, YAMLNode)] = [("backoffLimit", .int(max(0, step.retry.attempts - 1)))]
        if let timeout = step.timeoutSeconds { jobSpec.append(("activeDeadlineSeconds", .int(Int(timeout.rounded(.up))))) }
        // Jobs of one pipeline run share a run id: set CAIRN_RUN_ID on all of them when applying
        // (it names the run's folder on the shared volume); "manual" until then.
        let env: [YAMLNode] = [.map([("name", .string("CAIRN_RUN_ID")), ("value", .string("manual"))]),
                               .map([("name", .string("CAIRN_STEP")), ("value", .string(key))])]
            + (try step.env.sorted { $0.key < $1.key }.map { key, value in
                let rendered = try CommandTemplate(value).render { path in
                    switch path.first {
                    case "params": spec.param(named: path[1])?.defaultValue?.plainText ?? ""
                    case "inputs": "/cairn/inputs/\(path[1])"
                    case "outputs": "/cairn/outputs/\(path[1])"
                    case "item": item?.plainText ?? ""
                    case "run": "$(CAIRN_RUN_ID)"
                    case "step": step.name
                    default: ""
                    }
                }
                return YAMLNode.map([("name", .string(key)), ("value", .string(rendered))])
            })
        jobSpec.append(("template", .map([
            ("metadata", .map([("labels", .map(labels(spec, step)))])),
            ("spec", .map([
                ("restartPolicy", .string("Never")),
                ("containers", .list([.map([
                    ("name", .string("step")), ("image", .string(image)), ("command", .list([.string("/bin/sh"), .string("-c")])),
                    ("args", .list([.string((links + [command]).joined(separator: "\n"))])), ("env", .list(env)),
                    ("resources", PipelineExporter.resources(step.resources)),
                    ("volumeMounts", .list([.map([("name", .string("data")), ("mountPath", .string("/cairn/data"))])])),
                ])])),
                ("volumes", .list([.map([("name", .string("data")), ("persistentVolumeClaim", .map([("claimName", .string(volumeClaim))]))])])),
            ])),
        ])))
        return .map([
            ("apiVersion", .string("batch/v1")),
            ("kind", .string("Job")),
            ("metadata", .map([("name", .string(kubernetesName("\(spec.name)-\(step.name)" + (index.map { "-\($0)" } ?? "")))),
                               ("labels", .map(labels(spec, step))), ("annotations", .map(annotations))])),
            ("spec", .map(jobSpec)),
        ])
    }

    private static func labels(_ spec: PipelineSpec, _ step: StepSpec) -> [(String, YAMLNode)] {
        [("app.kubernetes.io/managed-by", .string("cairn")), ("cairn.dev/pipeline", .string(kubernetesName(spec.name))),
         ("cairn.dev/step", .string(kubernetesName(step.name)))]
    }
}
