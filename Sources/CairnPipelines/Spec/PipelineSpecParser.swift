import Foundation
import Yams

/// Reads a pipeline spec from YAML. Every field is checked as it is read (type, range, unknown
/// names), then `PipelineValidator` checks the graph, references, templates and conditions.
public enum PipelineSpecParser {
    /// Largest spec accepted, in bytes.
    public static let maxSize = 1 << 20

    public static func parse(yaml: String) throws(SpecError) -> PipelineSpec {
        guard yaml.utf8.count <= maxSize else { throw SpecError("", "the spec is larger than \(maxSize >> 10) KiB") }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else { throw SpecError("", "the spec is empty") }
            root = node
        } catch let error as SpecError {
            throw error
        } catch let error as YamlError {
            throw SpecError("", "not valid YAML: \(error)")
        } catch {
            throw SpecError("", "not valid YAML: \(error)")
        }
        let spec = try document(SpecNode(node: root, path: ""))
        try PipelineValidator.validate(spec)
        return spec
    }

    /// Pipeline names: letters, digits, `_`, `-`, `.`, at most 128 characters.
    static func isValidName(_ text: String) -> Bool { text.wholeMatch(of: /[A-Za-z0-9][A-Za-z0-9_.-]{0,127}/) != nil }
    /// Step, parameter, input and output names.
    static func isValidIdentifier(_ text: String) -> Bool { text.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_-]{0,127}/) != nil }

    private static func document(_ node: SpecNode) throws(SpecError) -> PipelineSpec {
        let fields = try node.fields(allowed: ["name", "description", "params", "steps", "schedule", "triggers"])
        guard let nameNode = fields["name"] else { throw SpecError("name", "required") }
        let name = try nameNode.string()
        guard isValidName(name) else {
            throw nameNode.error("'\(name)' is not a valid pipeline name (letters, digits, '_', '-', '.', at most 128)")
        }
        var params: [ParamSpec] = []
        for (key, value) in try fields["params"]?.mapping() ?? [] { params.append(try param(key, value)) }
        guard let stepsNode = fields["steps"] else { throw SpecError("steps", "required: at least one step") }
        var steps: [StepSpec] = []
        for (key, value) in try stepsNode.mapping() { steps.append(try step(key, value)) }
        guard !steps.isEmpty else { throw stepsNode.error("at least one step is required") }
        var schedule: String?
        if let scheduleNode = fields["schedule"] {
            let cron = try scheduleNode.string()
            do { _ = try CronSchedule(cron) } catch { throw scheduleNode.error(error.message) }
            schedule = cron
        }
        var triggers: [TriggerSpec] = []
        for item in try fields["triggers"]?.sequence() ?? [] { triggers.append(try trigger(item)) }
        return PipelineSpec(name: name, description: try fields["description"]?.string() ?? "", params: params, steps: steps,
                            schedule: schedule, triggers: triggers)
    }

    private static func param(_ name: String, _ node: SpecNode) throws(SpecError) -> ParamSpec {
        guard isValidIdentifier(name) else { throw node.error("'\(name)' is not a valid parameter name") }
        // `seed: 42` is shorthand for `seed: {default: 42}` with the type taken from the value.
        guard node.node.mapping != nil else {
            let value = try node.value()
            return ParamSpec(name: name, kind: inferredKind(value), defaultValue: value == .null ? nil : value)
        }
        let fields = try node.fields(allowed: ["type", "default"])
        let defaultValue = try fields["default"]?.value()
        var kind: ParamSpec.Kind
        if let typeNode = fields["type"] {
            let text = try typeNode.string()
            guard let parsed = ParamSpec.Kind(rawValue: text) else {
                throw typeNode.error("unknown type '\(text)' (expected one of: \(ParamSpec.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            kind = parsed
        } else if let defaultValue {
            kind = inferredKind(defaultValue)
        } else {
            throw node.error("give a type or a default")
        }
        var spec = ParamSpec(name: name, kind: kind, defaultValue: nil)
        if let defaultValue, defaultValue != .null {
            do { spec.defaultValue = try spec.coerce(defaultValue) } catch { throw fields["default"]!.error(error.message) }
        }
        return spec
    }

    private static func inferredKind(_ value: ExpressionValue) -> ParamSpec.Kind {
        switch value {
        case .number(let number): number == number.rounded() ? .int : .float
        case .bool: .bool
        case .list: .list
        case .string, .null: .string
        }
    }

    static let stepFields: Set<String> = ["command", "env", "needs", "inputs", "outputs", "resources", "retry", "timeout", "when",
                                          "cache", "foreach", "priority"]

    private static func step(_ name: String, _ node: SpecNode) throws(SpecError) -> StepSpec {
        guard isValidIdentifier(name) else {
            throw node.error("'\(name)' is not a valid step name (letters, digits, '_' and '-', starting with a letter or '_')")
        }
        let fields = try node.fields(allowed: stepFields)
        guard let commandNode = fields["command"] else { throw SpecError(node.path + ".command", "required", line: node.line) }
        let command = try commandNode.string()
        guard !command.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw commandNode.error("must not be empty") }
        var env: [String: String] = [:]
        for (key, value) in try fields["env"]?.mapping() ?? [] {
            guard key.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_]*/) != nil else { throw value.error("'\(key)' is not a valid environment variable name") }
            env[key] = try value.value().plainText
        }
        var needs: [String] = []
        for item in try fields["needs"]?.sequence() ?? [] { needs.append(try item.string()) }
        var inputs: [InputSpec] = []
        for (key, value) in try fields["inputs"]?.mapping() ?? [] {
            guard isValidIdentifier(key) else { throw value.error("'\(key)' is not a valid input name") }
            inputs.append(InputSpec(name: key, source: try inputSource(value)))
        }
        var outputs: [String] = []
        for item in try fields["outputs"]?.sequence() ?? [] {
            let output = try item.string()
            guard isValidIdentifier(output) else { throw item.error("'\(output)' is not a valid output name") }
            guard !outputs.contains(output) else { throw item.error("output '\(output)' is declared twice") }
            outputs.append(output)
        }
        var when: String?
        if let whenNode = fields["when"] {
            let text = try whenNode.string()
            do { _ = try ExpressionParser.parse(text) } catch { throw whenNode.error("invalid condition: \(error)") }
            when = text
        }
        var timeout: Double?
        if let timeoutNode = fields["timeout"] {
            timeout = try timeoutNode.duration()
            guard timeout! > 0 else { throw timeoutNode.error("must be more than zero") }
        }
        return StepSpec(name: name, command: command, env: env, needs: needs, inputs: inputs, outputs: outputs,
                        resources: try fields["resources"].map(resources) ?? .stepDefault,
                        retry: try fields["retry"].map(retry) ?? .none, timeoutSeconds: timeout, when: when,
                        cache: try fields["cache"]?.bool() ?? true, foreach: try fields["foreach"].map(foreach),
                        priority: try fields["priority"]?.integer() ?? 0)
    }

    private static func inputSource(_ node: SpecNode) throws(SpecError) -> InputSource {
        let text = try node.string().trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("runs:/") { return .runArtifact(text) }
        if text.hasPrefix("models:/") { return .model(text) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 4, parts[0] == "steps", parts[2] == "outputs" { return .stepOutput(step: parts[1], output: parts[3]) }
        if parts.count == 2, parts[0] == "params" { return .param(parts[1]) }
        throw node.error("'\(text)' is not an input source (expected steps.<step>.outputs.<name>, runs:/<run_id>/<path>, models:/<model>/<version or @alias>, or params.<name>)")
    }

    private static func resources(_ node: SpecNode) throws(SpecError) -> ResourceSpec {
        let fields = try node.fields(allowed: ["cpu", "memory", "gpu"])
        var spec = ResourceSpec.stepDefault
        if let cpu = fields["cpu"] {
            spec.cpu = try cpu.number()
            guard spec.cpu >= 0, spec.cpu <= 100_000 else { throw cpu.error("must be between 0 and 100000") }
        }
        if let memory = fields["memory"] {
            let text: String
            if let bytes = memory.node.int { text = String(bytes) } else { text = try memory.string() }
            guard let bytes = ResourceSpec.parseMemory(text) else { throw memory.error("expected a size like 512Mi or 2Gi, got '\(text)'") }
            spec.memoryBytes = bytes
        }
        if let gpu = fields["gpu"] {
            spec.gpu = try gpu.integer()
            guard spec.gpu >= 0, spec.gpu <= 10_000 else { throw gpu.error("must be between 0 and 10000") }
        }
        return spec
    }

    private static func retry(_ node: SpecNode) throws(SpecError) -> RetryPolicy {
        let fields = try node.fields(allowed: ["attempts", "initial_delay", "multiplier", "max_delay"])
        var policy = RetryPolicy(attempts: 3, initialDelaySeconds: 1, multiplier: 2, maxDelaySeconds: 60)
        if let attempts = fields["attempts"] {
            policy.attempts = try attempts.integer()
            guard (1...100).contains(policy.attempts) else { throw attempts.error("must be between 1 and 100") }
        }
        if let initial = fields["initial_delay"] { policy.initialDelaySeconds = try initial.duration() }
        if let multiplier = fields["multiplier"] {
            policy.multiplier = try multiplier.number()
            guard policy.multiplier >= 1, policy.multiplier <= 100 else { throw multiplier.error("must be between 1 and 100") }
        }
        if let maximum = fields["max_delay"] { policy.maxDelaySeconds = try maximum.duration() }
        guard policy.maxDelaySeconds >= policy.initialDelaySeconds else {
            throw node.error("max_delay must not be less than initial_delay")
        }
        return policy
    }

    private static func foreach(_ node: SpecNode) throws(SpecError) -> ForeachSpec {
        if node.node.sequence != nil {
            guard case .list(let items) = try node.value(), !items.isEmpty else { throw node.error("must list at least one item") }
            return .items(items)
        }
        let text = try node.string()
        let parts = text.split(separator: ".").map(String.init)
        guard parts.count == 2, parts[0] == "params" else { throw node.error("expected a list of items or params.<name> of a list parameter") }
        return .param(parts[1])
    }

    private static func trigger(_ node: SpecNode) throws(SpecError) -> TriggerSpec {
        let fields = try node.fields(allowed: ["event", "params"])
        guard let eventNode = fields["event"] else { throw SpecError(node.path + ".event", "required", line: node.line) }
        let event = try eventNode.string()
        guard TriggerSpec.knownEvents.contains(event) else {
            throw eventNode.error("unknown event '\(event)' (expected one of: \(TriggerSpec.knownEvents.sorted().joined(separator: ", ")))")
        }
        var params: [String: String] = [:]
        for (key, value) in try fields["params"]?.mapping() ?? [] { params[key] = try value.value().plainText }
        return TriggerSpec(event: event, params: params)
    }
}

extension TriggerSpec {
    /// Events a pipeline can be triggered by (written to the event outbox by the registry).
    public static let knownEvents: Set<String> = ["model_version.created", "model_version.stage_changed", "model_version.alias_changed"]
}
