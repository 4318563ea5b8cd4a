/// A pipeline as an Argo `Workflow` (argoproj.io/v1alpha1): one DAG task per step, `withItems` /
/// `withParam` for foreach, output folders as artifacts (key-only, in the workflow's artifact
/// repository, so a fan-in step reads every item's folder under one key), retries, timeouts and
/// resources. Conditions on params and small outputs become Argo `when` expressions.
enum ArgoWorkflow {
    static func manifest(_ spec: PipelineSpec, image: String) throws -> YAMLNode {
        var parameters: [YAMLNode] = []
        for param in spec.params {
            var entry: [(String, YAMLNode)] = [("name", .string(param.name))]
            if let value = param.defaultValue {
                entry.append(("value", .string(param.kind == .list ? try listJSON(value) : value.plainText)))
            }
            parameters.append(.map(entry))
        }
        var tasks: [YAMLNode] = []
        var templates: [YAMLNode] = []
        for step in spec.steps {
            tasks.append(try task(step, in: spec))
            templates.append(try template(step, in: spec, image: image))
        }
        return .map([
            ("apiVersion", .string("argoproj.io/v1alpha1")),
            ("kind", .string("Workflow")),
            ("metadata", .map([("generateName", .string("\(kubernetesName(spec.name))-")),
                               ("labels", .map([("app.kubernetes.io/managed-by", .string("cairn")), ("cairn.dev/pipeline", .string(kubernetesName(spec.name)))]))])),
            ("spec", .map([
                ("entrypoint", .string("main")),
                ("arguments", .map([("parameters", .list(parameters))])),
                ("templates", .list([.map([("name", .string("main")), ("dag", .map([("tasks", .list(tasks))]))])] + templates)),
            ])),
        ])
    }

    private static func task(_ step: StepSpec, in spec: PipelineSpec) throws -> YAMLNode {
        var fields: [(String, YAMLNode)] = [("name", .string(kubernetesName(step.name))), ("template", .string(kubernetesName(step.name)))]
        if !step.dependencies.isEmpty { fields.append(("dependencies", .list(step.dependencies.map { .string(kubernetesName($0)) }))) }
        if let condition = step.when { fields.append(("when", .string(try argoCondition(condition, step: step)))) }
        switch step.foreach {
        case .items(let items): fields.append(("withItems", .list(items.map { .string($0.plainText) })))
        case .param(let name): fields.append(("withParam", .string("{{workflow.parameters.\(name)}}")))
        case nil: break
        }
        var arguments: [(String, YAMLNode)] = []
        if step.foreach != nil { arguments.append(("parameters", .list([.map([("name", .string("item")), ("value", .string("{{item}}"))])]))) }
        if !arguments.isEmpty { fields.append(("arguments", .map(arguments))) }
        return .map(fields)
    }

    private static func template(_ step: StepSpec, in spec: PipelineSpec, image: String) throws -> YAMLNode {
        let item = step.foreach == nil ? "" : "{{inputs.parameters.item}}"
        let command = try PipelineExporter.command(step, item: item, param: { "{{workflow.parameters.\($0)}}" }, runID: "{{workflow.name}}")
        var inputArtifacts: [YAMLNode] = []
        var setup: [String] = []
        for input in step.inputs {
            let path = "/cairn/inputs/\(input.name)"
            switch input.source {
            case .stepOutput(let producer, let output):
                inputArtifacts.append(.map([("name", .string(input.name)), ("path", .string(path)),
                                            ("s3", .map([("key", .string(artifactKey(producer, output, fanOut: false, in: spec)))]))]))
            case .param(let name):
                setup.append("mkdir -p /cairn/inputs && printf '%s' \"{{workflow.parameters.\(name)}}\" > \(path)")
            case .runArtifact(let uri), .model(let uri):
                throw PipelineExportError(description: "steps.\(step.name).inputs.\(input.name): '\(uri)' lives in Cairn's store; "
                                          + "an exported workflow cannot read it (pass the files as a step output or an artifact in your repository)")
            }
        }
        let outputArtifacts: [YAMLNode] = step.outputs.map { output in
            .map([("name", .string(output)), ("path", .string("/cairn/outputs/\(output)")), ("archive", .map([("none", .map([]))])),
                  ("s3", .map([("key", .string(artifactKey(step.name, output, fanOut: step.foreach != nil, in: spec)))]))])
        }
        let script = (["mkdir -p " + (["/cairn/outputs"] + step.outputs.map { "/cairn/outputs/\($0)" }).joined(separator: " ")] + setup + [command])
            .joined(separator: "\n")
        var env: [YAMLNode] = try step.env.sorted { $0.key < $1.key }.map { key, value in
            let rendered = try CommandTemplate(value).render { path in
                switch path.first {
                case "params": "{{workflow.parameters.\(path[1])}}"
                case "inputs": "/cairn/inputs/\(path[1])"
                case "outputs": "/cairn/outputs/\(path[1])"
                case "item": item
                case "run": "{{workflow.name}}"
                case "step": step.name
                default: ""
                }
            }
            return .map([("name", .string(key)), ("value", .string(rendered))])
        }
        env.append(.map([("name", .string("CAIRN_STEP")), ("value", .string(step.name))]))
        var fields: [(String, YAMLNode)] = [("name", .string(kubernetesName(step.name)))]
        var inputs: [(String, YAMLNode)] = []
        if step.foreach != nil { inputs.append(("parameters", .list([.map([("name", .string("item"))])]))) }
        if !inputArtifacts.isEmpty { inputs.append(("artifacts", .list(inputArtifacts))) }
        if !inputs.isEmpty { fields.append(("inputs", .map(inputs))) }
        if !outputArtifacts.isEmpty { fields.append(("outputs", .map([("artifacts", .list(outputArtifacts))]))) }
        if step.retry.attempts > 1 {
            fields.append(("retryStrategy", .map([
                ("limit", .int(step.retry.attempts - 1)), ("retryPolicy", .string("Always")),
                ("backoff", .map([("duration", .string(seconds(step.retry.initialDelaySeconds))), ("factor", .int(Int(step.retry.multiplier.rounded()))),
                                  ("cap", .string(seconds(step.retry.maxDelaySeconds)))])),
            ])))
        }
        if let timeout = step.timeoutSeconds { fields.append(("activeDeadlineSeconds", .int(Int(timeout.rounded(.up))))) }
        fields.append(("container", .map([
            ("image", .string(image)), ("command", .list([.string("/bin/sh"), .string("-c")])), ("args", .list([.string(script)])),
            ("env", .list(env)), ("resources", PipelineExporter.resources(step.resources)),
        ])))
        return .map(fields)
    }

    /// Where a step's output folder lives in the artifact repository: one key per run and step,
    /// with one sub-folder per item when the step fans out, so a reader gets all of them.
    private static func artifactKey(_ step: String, _ output: String, fanOut: Bool, in spec: PipelineSpec) -> String {
        "cairn/{{workflow.name}}/\(step)/\(output)" + (fanOut ? "/{{inputs.parameters.item}}" : "")
    }

    /// Argo's `when` is rendered from parameters only: upstream metrics live in MLflow and output
    /// folders in the artifact repository, neither of which Argo reads when it decides.
    private static func argoCondition(_ condition: String, step: StepSpec) throws -> String {
        let expression = try ExpressionParser.parse(condition)
        for reference in expression.references where reference.first == "steps" {
            throw PipelineExportError(description: "steps.\(step.name).when: '\(reference.joined(separator: "."))' reads an upstream step's "
                                      + "\(reference[2]), which Argo cannot evaluate; only conditions on params can be exported "
                                      + "(run the pipeline on Cairn, or make the step itself exit early)")
        }
        return render(expression)
    }

    private static func render(_ expression: Expression) -> String {
        switch expression {
        case .literal(let value):
            if case .string(let text) = value { return "'\(text)'" }
            return value.description
        case .reference(let path):
            switch path.first {
            case "params": return "'{{workflow.parameters.\(path[1])}}'"
            case "item": return "'{{item}}'"
            default: return path.joined(separator: ".")  // refused by argoCondition
            }
        case .list(let items): return "[" + items.map(render).joined(separator: ", ") + "]"
        case .not(let inner): return "!(\(render(inner)))"
        case .and(let lhs, let rhs): return "(\(render(lhs)) && \(render(rhs)))"
        case .or(let lhs, let rhs): return "(\(render(lhs)) || \(render(rhs)))"
        case .compare(let lhs, let op, let rhs):
            switch op {
            case .contains: return "(\(render(lhs)) in \(render(rhs)))"
            case .notContains: return "!(\(render(lhs)) in \(render(rhs)))"
            default: return "\(render(lhs)) \(op.rawValue) \(render(rhs))"
            }
        }
    }

    static func listJSON(_ value: ExpressionValue) throws -> String {
        String(decoding: try JSONCoding.string(value).utf8, as: UTF8.self)
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))s" : "\(value)s"
    }
}

/// Kubernetes object names: lowercase letters, digits and '-'.
func kubernetesName(_ name: String) -> String {
    let mapped = name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
    return String(String(mapped).trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(63))
}

import Foundation
