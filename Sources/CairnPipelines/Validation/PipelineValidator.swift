/// Checks what a spec says across fields: steps named by `needs` and inputs exist, the graph has
/// no cycle (reported as its path), every placeholder and condition reference names something
/// the step can see. The first problem found is thrown, naming the step and field.
public enum PipelineValidator {
    public static func validate(_ spec: PipelineSpec) throws(SpecError) {
        let names = Set(spec.steps.map(\.name))
        for step in spec.steps {
            let path = "steps.\(step.name)"
            for need in step.needs {
                guard need != step.name else { throw SpecError("\(path).needs", "a step cannot need itself") }
                guard names.contains(need) else { throw SpecError("\(path).needs", "unknown step '\(need)'") }
            }
            for input in step.inputs {
                let inputPath = "\(path).inputs.\(input.name)"
                switch input.source {
                case .stepOutput(let producer, let output):
                    guard producer != step.name else { throw SpecError(inputPath, "a step cannot read its own output") }
                    guard let upstream = spec.step(named: producer) else { throw SpecError(inputPath, "unknown step '\(producer)'") }
                    guard upstream.outputs.contains(output) else {
                        throw SpecError(inputPath, "step '\(producer)' has no output '\(output)'"
                                        + (upstream.outputs.isEmpty ? " (it declares none)" : " (it declares: \(upstream.outputs.joined(separator: ", ")))"))
                    }
                case .param(let name):
                    guard spec.param(named: name) != nil else { throw SpecError(inputPath, "unknown parameter '\(name)'") }
                case .runArtifact(let uri):
                    guard uri.dropFirst("runs:/".count).split(separator: "/").count >= 1 else { throw SpecError(inputPath, "'\(uri)' names no run") }
                case .model(let uri):
                    guard uri.count > "models:/".count else { throw SpecError(inputPath, "'\(uri)' names no model") }
                }
            }
            if case .param(let name) = step.foreach {
                guard let param = spec.param(named: name) else { throw SpecError("\(path).foreach", "unknown parameter '\(name)'") }
                guard param.kind == .list else { throw SpecError("\(path).foreach", "parameter '\(name)' is a \(param.kind.rawValue), not a list") }
            }
        }
        try checkUnattendedParams(spec)
        try checkAcyclic(spec)
        for step in spec.steps { try checkReferences(step, in: spec) }
    }

    /// A schedule or trigger starts runs without anyone to pass parameters: each parameter needs a
    /// default, or a value from the trigger (a model event also gives `model_name` and `model_version`).
    private static func checkUnattendedParams(_ spec: PipelineSpec) throws(SpecError) {
        let required = spec.params.filter { $0.defaultValue == nil }.map(\.name)
        if spec.schedule != nil, let name = required.first {
            throw SpecError("params.\(name)", "needs a default: the schedule starts runs without parameters")
        }
        for (index, trigger) in spec.triggers.enumerated() {
            let fromEvent: Set<String> = trigger.event.hasPrefix("model_version.") ? ["model_name", "model_version"] : []
            if let name = required.first(where: { trigger.params[$0] == nil && !fromEvent.contains($0) }) {
                throw SpecError("triggers[\(index)].params", "gives no value for parameter '\(name)', which has no default")
            }
        }
    }

    /// Depth-first search with three colours; a grey step met again closes a cycle.
    private static func checkAcyclic(_ spec: PipelineSpec) throws(SpecError) {
        enum Colour { case white, grey, black }
        var colour = Dictionary(uniqueKeysWithValues: spec.steps.map { ($0.name, Colour.white) })
        var stack: [String] = []
        func visit(_ name: String) throws(SpecError) {
            colour[name] = .grey
            stack.append(name)
            for next in spec.step(named: name)!.dependencies {
                switch colour[next]! {
                case .grey:
                    let cycle = stack[stack.lastIndex(of: next)!...] + [next]
                    throw SpecError("steps.\(next)", "dependency cycle: \(cycle.joined(separator: " → "))")
                case .white: try visit(next)
                case .black: break
                }
            }
            stack.removeLast()
            colour[name] = .black
        }
        for step in spec.steps where colour[step.name] == .white { try visit(step.name) }
    }

    /// Every step this one waits for, directly or not.
    public static func upstream(of step: StepSpec, in spec: PipelineSpec) -> Set<String> {
        var found = Set<String>()
        var pending = step.dependencies
        while let next = pending.popLast() {
            guard found.insert(next).inserted, let upstream = spec.step(named: next) else { continue }
            pending += upstream.dependencies
        }
        return found
    }

    private static func checkReferences(_ step: StepSpec, in spec: PipelineSpec) throws(SpecError) {
        let path = "steps.\(step.name)"
        let upstream = upstream(of: step, in: spec)
        func checkPlaceholders(_ source: String, field: String) throws(SpecError) {
            let template: CommandTemplate
            do { template = try CommandTemplate(source) } catch { throw SpecError(field, error.message) }
            for reference in template.placeholders {
                let text = reference.joined(separator: ".")
                switch (reference.first, reference.count) {
                case ("params", 2) where spec.param(named: reference[1]) != nil: continue
                case ("inputs", 2) where step.inputs.contains { $0.name == reference[1] }: continue
                case ("outputs", 2) where step.outputs.contains(reference[1]): continue
                case ("item", 1) where step.foreach != nil: continue
                case ("run", 2) where reference[1] == "id": continue
                case ("step", 2) where reference[1] == "name": continue
                default: throw SpecError(field, "unknown placeholder '{{\(text)}}'" + hint(for: reference, step: step))
                }
            }
        }
        try checkPlaceholders(step.command, field: "\(path).command")
        for (key, value) in step.env.sorted(by: { $0.key < $1.key }) { try checkPlaceholders(value, field: "\(path).env.\(key)") }
        guard let condition = step.when else { return }
        let expression: Expression
        do { expression = try ExpressionParser.parse(condition) } catch { throw SpecError("\(path).when", "invalid condition: \(error)") }
        for reference in expression.references {
            let text = reference.joined(separator: ".")
            switch (reference.first, reference.count) {
            case ("params", 2):
                guard spec.param(named: reference[1]) != nil else { throw SpecError("\(path).when", "unknown parameter '\(reference[1])' in '\(text)'") }
            case ("item", 1):
                guard step.foreach != nil else { throw SpecError("\(path).when", "'item' is only set in a foreach step") }
            case ("steps", 4) where reference[2] == "metrics" || reference[2] == "outputs":
                let producer = reference[1]
                guard let upstreamStep = spec.step(named: producer) else { throw SpecError("\(path).when", "unknown step '\(producer)' in '\(text)'") }
                guard upstream.contains(producer) else {
                    throw SpecError("\(path).when", "'\(text)' reads step '\(producer)', which this step does not wait for (add it to needs)")
                }
                if reference[2] == "outputs", !upstreamStep.outputs.contains(reference[3]) {
                    throw SpecError("\(path).when", "step '\(producer)' has no output '\(reference[3])'")
                }
            default:
                throw SpecError("\(path).when", "unknown reference '\(text)' (expected params.<name>, steps.<step>.metrics.<key> or steps.<step>.outputs.<name>)")
            }
        }
    }

    private static func hint(for reference: [String], step: StepSpec) -> String {
        switch reference.first {
        case "inputs": step.inputs.isEmpty ? " (the step declares no inputs)" : " (inputs: \(step.inputs.map(\.name).joined(separator: ", ")))"
        case "outputs": step.outputs.isEmpty ? " (the step declares no outputs)" : " (outputs: \(step.outputs.joined(separator: ", ")))"
        case "item": " ('item' is only set in a foreach step)"
        default: ""
        }
    }
}
