import ArgumentParser
import Foundation

/// `cairn models …`: the model registry from the command line, through a running server.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List, inspect, promote and approve registered models on a Cairn server.",
        subcommands: [ListModels.self, ShowModel.self, PromoteModel.self, ApproveRequest.self])
}

/// Options every `cairn models` subcommand takes.
struct ServerOptions: ParsableArguments {
    @Option(help: "Server URL (env CAIRN_SERVER or MLFLOW_TRACKING_URI; default http://127.0.0.1:5000).")
    var server: String?

    @Option(help: "Who is acting, recorded in the audit events (env CAIRN_USER, else USER).")
    var user: String?

    @Flag(help: "Print the server's JSON answer instead of a summary.")
    var json = false

    var client: CairnAPIClient { CairnAPIClient.make(server: server, user: user) }

    /// Runs `body`, turning a server error into a one-line message and exit status 1.
    func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as CairnAPIError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Prints raw JSON when `--json` was given; otherwise decodes it and prints the summary.
    func output<Response: Decodable>(_ data: Data, as: Response.Type, summary: (Response) -> String) throws {
        if json {
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(summary(try JSONDecoder().decode(Response.self, from: data)))
        }
    }
}

extension ModelsCommand {
    struct ListModels: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List registered models.")

        @OptionGroup var options: ServerOptions

        @Option(help: "MLflow search filter, e.g. \"name LIKE 'churn%'\".")
        var filter: String?

        @Option(name: .customLong("max-results"), help: "At most this many models (1-1000).")
        var maxResults = 100

        func run() async throws {
            try await options.run {
                var query = ["max_results": String(maxResults)]
                if let filter { query["filter"] = filter }
                let data = try await options.client.sendRaw("GET", "/api/v1/models", query: query)
                try options.output(data, as: ModelListJSON.self) { list in
                    TextTable(["NAME", "LATEST", "STAGES", "ALIASES", "UPDATED"], list.registered_models.map { model in
                        let versions = model.latest_versions ?? []
                        return [model.name,
                                versions.map(\.version).max { (Int($0) ?? 0) < (Int($1) ?? 0) } ?? "-",
                                versions.filter { $0.current_stage != "None" }.map { "\($0.current_stage)=v\($0.version)" }.joined(separator: " "),
                                (model.aliases ?? []).map { "@\($0.alias)=v\($0.version)" }.joined(separator: " "),
                                TextTable.date(model.last_updated_timestamp)]
                    }).render() + (list.next_page_token == nil ? "" : "\n(more: raise --max-results or narrow --filter)")
                }
            }
        }
    }

    struct ShowModel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show a model's versions, aliases, policies and pending requests, or one version's files.")

        @OptionGroup var options: ServerOptions

        @Argument(help: "Registered model name.")
        var name: String

        @Argument(help: "A version number: show its frozen files (path, size, SHA-256).")
        var version: Int?

        func run() async throws {
            try await options.run {
                let model = CairnAPIClient.segment(name)
                if let version {
                    let data = try await options.client.sendRaw("GET", "/api/v1/models/\(model)/versions/\(version)/manifest")
                    try options.output(data, as: ManifestJSON.self) { manifest in
                        let header = manifest.immutable
                            ? "\(name) v\(version): \(manifest.files.count) files, \(manifest.total_bytes) bytes, frozen at \(manifest.storage_location ?? "")"
                            : "\(name) v\(version): registered from a source outside Cairn's store; its files are not frozen"
                        return header + "\n" + TextTable(["PATH", "BYTES", "SHA-256"], manifest.files.map { [$0.path, String($0.size), $0.sha256] }).render()
                    }
                    return
                }
                let data = try await options.client.sendRaw("GET", "/api/v1/models/\(model)")
                if options.json {
                    print(String(decoding: data, as: UTF8.self))
                    return
                }
                let detail = try JSONDecoder().decode(ModelDetailJSON.self, from: data)
                let pending = try await options.client.send("GET", "/api/v1/models/\(model)/transition-requests", query: ["status": "pending"],
                                                            as: TransitionRequestsJSON.self)
                print(Self.summary(detail, pending: pending.transition_requests))
            }
        }

        static func summary(_ detail: ModelDetailJSON, pending: [TransitionRequestJSON]) -> String {
            let model = detail.registered_model
            var lines = [model.name + (model.description.map { $0.isEmpty ? "" : " — \($0)" } ?? "")]
            if let tags = model.tags, !tags.isEmpty { lines.append("tags: " + tags.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")) }
            lines.append("")
            lines.append(TextTable(["VERSION", "STAGE", "ALIASES", "RUN", "CREATED"], detail.model_versions.map { version in
                [version.version, version.current_stage, (version.aliases ?? []).map { "@\($0)" }.joined(separator: " "),
                 version.run_id ?? "-", TextTable.date(version.creation_timestamp)]
            }).render())
            if !detail.policies.isEmpty {
                lines.append("\npolicies:")
                for policy in detail.policies {
                    let rules = policy.rules + (policy.required_approvals > 0 ? ["\(policy.required_approvals) approvals"] : [])
                    lines.append("  \(policy.target.text): " + (rules.isEmpty ? "no rules" : rules.joined(separator: "; ")))
                }
            }
            if !pending.isEmpty {
                lines.append("\npending requests:")
                for request in pending {
                    let approvers = request.reviews.filter { $0.decision == "approve" }.map(\.reviewer)
                    lines.append("  \(request.id)  v\(request.version) → \(request.target.text) by \(request.requested_by)"
                        + (approvers.isEmpty ? "" : "; approved by " + approvers.joined(separator: ", ")))
                }
            }
            return lines.joined(separator: "\n")
        }
    }

    struct PromoteModel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "promote",
            abstract: "Move a version into a stage or give it an alias, or (--request) ask reviewers to approve that.")

        @OptionGroup var options: ServerOptions

        @Argument(help: "Registered model name.")
        var name: String

        @Argument(help: "Version number.")
        var version: Int

        @Option(help: "Target stage: Staging, Production, Archived or None.")
        var stage: String?

        @Option(help: "Target alias, e.g. champion.")
        var alias: String?

        @Flag(name: .customLong("archive-existing"), help: "Archive the versions now in the target stage (needed for Production when one is there).")
        var archiveExisting = false

        @Flag(help: "Open a transition request for reviewers instead of promoting now.")
        var request = false

        @Option(help: "Why (kept with a transition request).")
        var comment: String?

        func validate() throws {
            guard (stage == nil) != (alias == nil) else { throw ValidationError("Give exactly one of --stage and --alias.") }
        }

        func run() async throws {
            try await options.run {
                let path = "/api/v1/models/\(CairnAPIClient.segment(name))/versions/\(version)"
                if request {
                    let data = try await options.client.sendRaw("POST", path + "/transition-requests",
                                                                body: PromotionBody(stage: stage, alias: alias, archive_existing_versions: nil, comment: comment))
                    try options.output(data, as: TransitionRequestOutputJSON.self) { output in
                        let created = output.transition_request
                        return "Opened request \(created.id): v\(created.version) of \(created.model) → \(created.target.text). Approve with: cairn models approve \(created.id)"
                    }
                } else {
                    let data = try await options.client.sendRaw("POST", path + "/promote",
                                                                body: PromotionBody(stage: stage, alias: alias, archive_existing_versions: archiveExisting, comment: nil))
                    try options.output(data, as: ModelVersionOutputJSON.self) { output in
                        let promoted = output.model_version
                        let aliases = (promoted.aliases ?? []).map { "@\($0)" }.joined(separator: " ")
                        return "\(promoted.name) v\(promoted.version): stage \(promoted.current_stage)" + (aliases.isEmpty ? "" : ", aliases \(aliases)")
                    }
                }
            }
        }

        struct PromotionBody: Encodable {
            let stage: String?
            let alias: String?
            let archive_existing_versions: Bool?
            let comment: String?
        }
    }

    struct ApproveRequest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "approve", abstract: "Approve (or --reject) a transition request; the last approval a policy needs carries it out.")

        @OptionGroup var options: ServerOptions

        @Argument(help: "Transition request id (see `cairn models show NAME`).")
        var requestID: String

        @Flag(help: "Reject the request instead.")
        var reject = false

        @Option(help: "A note kept with the review.")
        var comment: String?

        func run() async throws {
            try await options.run {
                let action = reject ? "reject" : "approve"
                let data = try await options.client.sendRaw("POST", "/api/v1/transition-requests/\(CairnAPIClient.segment(requestID))/\(action)",
                                                            body: ReviewBody(comment: comment))
                try options.output(data, as: TransitionRequestOutputJSON.self) { output in
                    let reviewed = output.transition_request
                    let approvers = reviewed.reviews.filter { $0.decision == "approve" }.map(\.reviewer)
                    return "Request \(reviewed.id) (v\(reviewed.version) of \(reviewed.model) → \(reviewed.target.text)) is \(reviewed.status); approved by "
                        + (approvers.isEmpty ? "nobody yet" : approvers.joined(separator: ", "))
                }
            }
        }

        struct ReviewBody: Encodable {
            let comment: String?
        }
    }
}
