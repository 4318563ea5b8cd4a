import ArgumentParser
import CairnCore
import CairnFeatures
import Foundation

/// `cairn features …`: define features once (a YAML repository), record the definitions on a
/// server, materialize them online, and build point-in-time correct training sets.
struct FeaturesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Plan and apply feature definitions, materialize them, and build training sets.",
        subcommands: [Plan.self, Apply.self, Materialize.self, Historical.self])

    /// The repository file, read here; sources are resolved next to it.
    struct RepositoryOptions: ParsableArguments {
        @Option(help: "The feature repository YAML file.") var repo: String = "features.yaml"

        func read() throws -> (yaml: String, baseDirectory: String) {
            let url = URL(fileURLWithPath: repo)
            do {
                return (try String(contentsOf: url, encoding: .utf8), url.deletingLastPathComponent().standardizedFileURL.path)
            } catch {
                throw ValidationError("Cannot read \(repo): \(error.localizedDescription)")
            }
        }
    }

    struct PlanRequest: Encodable {
        let yaml: String
        let base_directory: String
    }

    struct PlanAnswer: Decodable {
        struct Change: Decodable {
            let kind: String
            let name: String
            let action: String
        }

        let project: String
        let version: Int?
        let changes: [Change]

        var table: String {
            TextTable(["ACTION", "KIND", "NAME"], changes.map { [$0.action, $0.kind, $0.name] }).render()
        }
    }

    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate the repository against its sources and show what apply would change.")

        @OptionGroup var options: ServerOptions
        @OptionGroup var repository: RepositoryOptions

        func run() async throws {
            try await send(repository, to: "/api/v1/features/plan", options: options) { "project \($0.project):\n" + $0.table }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate the repository and record it as the project's next version.")

        @OptionGroup var options: ServerOptions
        @OptionGroup var repository: RepositoryOptions

        func run() async throws {
            try await send(repository, to: "/api/v1/features/apply", options: options) { "project \($0.project) is at version \($0.version ?? 0):\n" + $0.table }
        }
    }

    /// Sends the repository (with the folder its sources are in) for planning or applying.
    static func send(_ repository: RepositoryOptions, to path: String, options: ServerOptions, summary: (PlanAnswer) -> String) async throws {
        let (yaml, base) = try repository.read()
        try await options.run {
            let data = try await options.client.sendRaw("POST", path, body: PlanRequest(yaml: yaml, base_directory: base))
            try options.output(data, as: PlanAnswer.self, summary: summary)
        }
    }

    struct Materialize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the latest values of online feature views to the online store.")

        @OptionGroup var options: ServerOptions
        @Option(help: "Start of the range (a timestamp); without it, from each view's last materialization.") var start: String?
        @Option(help: "End of the range (default now).") var end: String?
        @Option(help: "Only this feature view (repeatable).") var view: [String] = []

        struct Request: Encodable {
            let start_ts: String?
            let end_ts: String?
            let feature_views: [String]
        }

        struct Answer: Decodable {
            struct View: Decodable {
                let feature_view: String
                let start_ts: String
                let end_ts: String
                let rows: Int
            }

            let materialized: [View]
        }

        func run() async throws {
            try await options.run {
                let data = try await options.client.sendRaw("POST", start == nil ? "/materialize-incremental" : "/materialize",
                                                            body: Request(start_ts: start, end_ts: end, feature_views: view))
                try options.output(data, as: Answer.self) { answer in
                    TextTable(["VIEW", "FROM", "TO", "ROWS"], answer.materialized.map { [$0.feature_view, $0.start_ts, $0.end_ts, String($0.rows)] }).render()
                }
            }
        }
    }

    struct Historical: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Join an entity table (CSV with event_timestamp) to features point-in-time, as Feast's get_historical_features.")

        @OptionGroup var repository: RepositoryOptions
        @Option(help: "The entity table: join keys, event_timestamp, and anything else (labels) to keep.") var entities: String
        @Option(help: "A feature (view:feature), a whole view, or a feature service (repeatable).") var features: [String]
        @Option(help: "Where to write the training set (CSV; default standard output).") var output: String?
        @Flag(help: "Name columns view__feature.") var fullFeatureNames = false
        @Option(name: .customLong("run-id"), help: "Also log the training set to this MLflow run: an artifact and a dataset input (lineage).")
        var runID: String?
        @OptionGroup var options: ServerOptions

        func run() async throws {
            let (yaml, base) = try repository.read()
            do {
                let definitions = try FeatureRepository(yaml: yaml)
                try definitions.validate()
                let table = try HistoricalRetrieval.join(entities: try CSVTable(contentsOf: URL(fileURLWithPath: entities)), features: features,
                                                         repository: definitions, baseDirectory: URL(fileURLWithPath: base, isDirectory: true),
                                                         fullFeatureNames: fullFeatureNames)
                if let output {
                    try table.csv().write(toFile: output, atomically: true, encoding: .utf8)
                } else {
                    print(table.csv(), terminator: "")
                }
                if let runID {
                    try await options.run {
                        try await TrainingSetLineage(client: options.client).record(table, runID: runID, repository: definitions, yaml: yaml, features: features,
                                                                                    fileName: output.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "training.csv")
                    }
                }
            } catch let error as CairnError {
                FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
