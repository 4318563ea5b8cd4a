import ArgumentParser
import Foundation

/// `cairn deploy …`: serve registered models as deployments on a Cairn server.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Create, inspect, roll out, roll back and delete deployments of registered models.",
        subcommands: [Create.self, List.self, Status.self, Update.self, Rollback.self, Delete.self])

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
        @Option(help: "How new versions roll out: immediate or blue_green.") var strategy = "immediate"
        @Option(help: "Replicas per revision.") var replicas = 1
        @Option(name: .customLong("max-batch-size"), help: "Adaptive batching in each replica (1: off).") var maxBatchSize = 1
        @Option(name: .customLong("max-batch-wait-ms"), help: "Longest a request waits for its batch.") var maxBatchWait = 5

        func run() async throws {
            try await options.run {
                let body = DeploymentRequest(name: name, model_name: model, model_version: selector.version, model_alias: selector.alias,
                                             strategy: strategy, replicas: replicas, max_batch_size: maxBatchSize, max_batch_wait_ms: maxBatchWait)
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
                try options.output(data, as: DeploymentEnvelope.self) { "\($0.deployment.name) serves \($0.deployment.serving) (\($0.deployment.strategy))\n" + $0.deployment.revisionTable }
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Roll out another model version as a new revision, by the deployment's strategy.")

        @OptionGroup var options: ServerOptions
        @Argument var name: String
        @OptionGroup var selector: ModelSelector

        func run() async throws {
            try await options.run {
                let data = try await options.client.sendRaw("POST", "/api/v1/deployments/\(CairnAPIClient.segment(name))/update",
                                                            body: DeploymentUpdate(model_version: selector.version, model_alias: selector.alias))
                try options.output(data, as: DeploymentEnvelope.self) { "\($0.deployment.name) now serves \($0.deployment.serving)\n" + $0.deployment.revisionTable }
            }
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send all traffic back to the previous revision.")

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
