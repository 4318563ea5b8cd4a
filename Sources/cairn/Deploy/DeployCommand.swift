import ArgumentParser
import Foundation

/// `cairn deploy …`: serve registered models as deployments on a Cairn server.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Create, inspect, roll out, roll back and delete deployments of registered models.",
        subcommands: [Create.self, List.self, Status.self, Update.self, Promote.self, Pause.self, Resume.self, Rollback.self, Traffic.self, Delete.self])

    /// Which model version: exactly one of a version or an alias.
    struct ModelSelector: ParsableArguments {
        @Option(help: "A registered model version.")
        var version: Int64?

        @Option(help: "A registered model alias (the version it points to now).")
        var alias: String?

        func validate() throws {
            guard (version == nil) != (alias == nil) else { throw ValidationError("Give exactly one of --version or --alias.") }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start replicas of a registered model version and route traffic to them.")

        @OptionGroup var options: ServerOptions
        @Argument(help: "The deployment's name (also its path: /v2/models/<name>/infer).") var name: String
        @Option(help: "The registered model.") var model: String
        @OptionGroup var selector: ModelSelector
        @OptionGroup var rollout: RolloutOptions

        func run() async throws {
            try await options.run {
                let body = DeploymentRequest(name: name, model_name: model, model_version: selector.version, model_alias: selector.alias,
                                             options: try rollout.fields())
                let data = try await options.client.sendRaw("POST", "/api/v1/deployments", body: body)
                try options.output(data, as: DeploymentEnvelope.self) { "deployment \($0.deployment.name) serves \($0.deployment.serving)" }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List deployments.")

        @OptionGroup var options: ServerOptions

        func run() async throws {
            try await options.run {
                let data = try await options.client.sendRaw("GET", "/api/v1/deployments")
                try options.output(data, as: DeploymentsEnvelope.self) { list in
                    TextTable(["NAME", "SERVING", "STRATEGY", "REPLICAS"], list.deployments.map { [$0.name, $0.serving, $0.strategy, String($0.replicas)] }).render()
                }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a deployment's revisions, traffic split and replicas.")

        @OptionGroup var options: ServerOptions
        @Argument var name: String

        func run() async throws {
            try await options.run {
                let data = try await options.client.sendRaw("GET", "/api/v1/deployments/\(CairnAPIClient.segment(name))")
                try options.output(data, as: DeploymentEnvelope.self) { $0.deployment.statusText }
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Roll out another model version as a new revision, by the deployment's strategy.")

        @OptionGroup var options: ServerOptions
        @Argument var name: String
        @OptionGroup var selector: ModelSelector
        @OptionGroup var rollout: RolloutOptions

        func run() async throws {
            try await options.run {
                let data = try await options.client.sendRaw("POST", "/api/v1/deployments/\(CairnAPIClient.segment(name))/update",
                                                            body: DeploymentUpdate(model_version: selector.version, model_alias: selector.alias,
                                                                                   options: try rollout.fields()))
                try options.output(data, as: DeploymentEnvelope.self) { answer in
                    answer.deployment.rollout == nil ? "\(answer.deployment.name) now serves \(answer.deployment.serving)\n" + answer.deployment.revisionTable : answer.deployment.statusText
                }
            }
        }
    }

    /// `promote`, `pause` and `resume`: one verb on the rollout in progress.
    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End the rollout in progress: all traffic to the new revision now.")

        @OptionGroup var options: ServerOptions
        @Argument var name: String

        func run() async throws { try await rolloutVerb("promote", name: name, options: options) }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Hold a canary at its current step (it still rolls back on failure).")

        @OptionGroup var options: ServerOptions
        @Argument var name: String

        func run() async throws { try await rolloutVerb("pause", name: name, options: options) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let a paused canary go on (its current step starts over).")

        @OptionGroup var options: ServerOptions
        @Argument var name: String

        func run() async throws { try await rolloutVerb("resume", name: name, options: options) }
    }

    static func rolloutVerb(_ verb: String, name: String, options: ServerOptions) async throws {
        try await options.run {
            let data = try await options.client.sendRaw("POST", "/api/v1/deployments/\(CairnAPIClient.segment(name))/\(verb)", body: EmptyBody())
            try options.output(data, as: DeploymentEnvelope.self) { $0.deployment.statusText }
        }
    }

    struct Traffic: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set each revision's share of traffic by hand, e.g. `1=70 2=30`.")

        @OptionGroup var options: ServerOptions
        @Argument var name: String
        @Argument(help: "REVISION=PERCENT pairs summing to 100.") var shares: [String]

        func run() async throws {
            var percents: [String: Int] = [:]
            for share in shares {
                let parts = share.split(separator: "=")
                guard parts.count == 2, Int(parts[0]) != nil, let percent = Int(parts[1]) else {
                    throw ValidationError("Expected REVISION=PERCENT, got '\(share)'.")
                }
                percents[String(parts[0])] = percent
            }
            try await options.run {
                let data = try await options.client.sendRaw("POST", "/api/v1/deployments/\(CairnAPIClient.segment(name))/traffic",
                                                            body: TrafficRequest(percents: percents))
                try options.output(data, as: DeploymentEnvelope.self) { $0.deployment.statusText }
            }
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End the rollout in progress in the stable revision's favour, or send all traffic back to the previous revision.")

        @OptionGroup var options: ServerOptions
        @Argument var name: String

        func run() async throws {
            try await options.run {
                let data = try await options.client.sendRaw("POST", "/api/v1/deployments/\(CairnAPIClient.segment(name))/rollback", body: EmptyBody())
                try options.output(data, as: DeploymentEnvelope.self) { "\($0.deployment.name) rolled back: serves \($0.deployment.serving)" }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop routing to a deployment, drain and stop its replicas, and forget it.")

        @OptionGroup var options: ServerOptions
        @Argument var name: String

        func run() async throws {
            try await options.run {
                _ = try await options.client.sendRaw("DELETE", "/api/v1/deployments/\(CairnAPIClient.segment(name))")
                if !options.json { print("deleted deployment \(name)") }
            }
        }
    }
}
