/// One step: a shell command with its environment, what it needs and produces, and how it is run.
public struct StepSpec: Sendable, Equatable {
    public var name: String
    /// Run by `/bin/sh -c` after `{{…}}` templates are filled in.
    public var command: String
    public var env: [String: String]
    /// Steps that must finish first; steps named by inputs are added implicitly.
    public var needs: [String]
    public var inputs: [InputSpec]
    /// Names of folders the step writes into (`{{outputs.<name>}}`); uploaded when it succeeds.
    public var outputs: [String]
    public var resources: ResourceSpec
    public var retry: RetryPolicy
    public var timeoutSeconds: Double?
    /// Source text of the `when` condition; the step is skipped when it is false.
    public var when: String?
    public var cache: Bool
    public var foreach: ForeachSpec?
    /// Higher runs first when steps compete for capacity.
    public var priority: Int

    /// `needs` plus every step an input reads from, without repeats, in order.
    public var dependencies: [String] {
        var seen = Set<String>()
        return (needs + inputs.compactMap(\.source.stepName)).filter { seen.insert($0).inserted }
    }
}

/// Fan-out: the step runs once per item, with `{{item}}` set; a step that reads its outputs gets
/// all of them (fan-in).
public enum ForeachSpec: Sendable, Equatable {
    case items([ExpressionValue])
    /// A list parameter, resolved when the run starts.
    case param(String)
}

/// A named input handed to the command as a local path (`{{inputs.<name>}}`, `$CAIRN_INPUT_<NAME>`).
public struct InputSpec: Sendable, Equatable {
    public var name: String
    public var source: InputSource
}

public enum InputSource: Sendable, Equatable {
    /// `steps.<step>.outputs.<output>`
    case stepOutput(step: String, output: String)
    /// `runs:/<run_id>/<path>`
    case runArtifact(String)
    /// `models:/<name>/<version>`, `models:/<name>@<alias>`, …
    case model(String)
    /// `params.<name>`: the value written to a file.
    case param(String)

    var stepName: String? {
        if case .stepOutput(let step, _) = self { return step }
        return nil
    }

    public var description: String {
        switch self {
        case .stepOutput(let step, let output): "steps.\(step).outputs.\(output)"
        case .runArtifact(let uri), .model(let uri): uri
        case .param(let name): "params.\(name)"
        }
    }
}
