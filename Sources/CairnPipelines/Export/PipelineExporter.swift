import Foundation
import Yams

public enum PipelineExportFormat: String, Sendable, CaseIterable {
    /// One Argo `Workflow` with a DAG template: dependencies, fan-out (`withItems`), artifacts
    /// passed between tasks, retries with backoff, timeouts and resources.
    case argo
    /// One `batch/v1` Job per step (per item of a foreach step), in dependency order; the order and
    /// conditions are recorded as annotations for whatever submits them.
    case k8sJob = "k8s-job"
}

/// A spec that cannot be expressed in the chosen format, with why.
public struct PipelineExportError: Error, CustomStringConvertible {
    public var description: String
}

/// Writes a pipeline spec as Kubernetes manifests. Steps run `/bin/sh -c <command>` in `image`,
/// with inputs under `/cairn/inputs/<name>` and outputs under `/cairn/outputs/<name>`.
public enum PipelineExporter {
    public static func export(_ spec: PipelineSpec, format: PipelineExportFormat, image: String) throws -> String {
        switch format {
        case .argo: return try dump([ArgoWorkflow.manifest(spec, image: image)])
        case .k8sJob: return try dump(KubernetesJobs.manifests(spec, image: image))
        }
    }

    private static func dump(_ documents: [YAMLNode]) throws -> String {
        try documents.map { try Yams.serialize(node: $0.node, sortKeys: false) }.joined(separator: "---\n")
    }

    /// The step's command with placeholders pointing at the container's paths; `item` and
    /// parameters become the format's own template references.
    static func command(_ step: StepSpec, item: String, param: (String) -> String, runID: String) throws -> String {
        try CommandTemplate(step.command).render { path in
            switch path.first {
            case "params": param(path[1])
            case "inputs": "/cairn/inputs/\(path[1])"
            case "outputs": "/cairn/outputs/\(path[1])"
            case "item": item
            case "run": runID
            case "step": step.name
            default: ""
            }
        }
    }

    static func resources(_ spec: ResourceSpec) -> YAMLNode {
        var amounts: [(String, YAMLNode)] = [("cpu", .string(spec.cpu.formatted(.number.grouping(.never)))),
                                             ("memory", .string(ResourceSpec.formatMemory(spec.memoryBytes)))]
        if spec.gpu > 0 { amounts.append(("nvidia.com/gpu", .string(String(spec.gpu)))) }
        return .map([("requests", .map(amounts)), ("limits", .map(amounts))])
    }
}

/// An ordered YAML tree (Kubernetes readers expect `apiVersion` and `kind` first).
indirect enum YAMLNode {
    case string(String)
    case int(Int)
    case list([YAMLNode])
    case map([(String, YAMLNode)])

    var node: Node {
        switch self {
        case .string(let text): Node(text, Tag(.str), text.isEmpty || Double(text) != nil || ["true", "false", "null"].contains(text) ? .doubleQuoted : .any)
        case .int(let number): Node(String(number), Tag(.int))
        case .list(let items): Node(items.map(\.node))
        case .map(let pairs): Node(pairs.map { (Node($0.0), $0.1.node) })
        }
    }
}
