import ArgumentParser
import CairnPipelines
import Foundation

/// `cairn pipeline …`: run pipelines on a Cairn server and follow them.
struct PipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Run, follow, cancel, retry and export training pipelines.",
        subcommands: [RunPipeline.self, PipelineStatus.self, CancelPipeline.self, RetryPipeline.self, PipelineLogs.self, ExportPipeline.self])
}

extension PipelineCommand {
    struct RunPipeline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Submit a pipeline spec (YAML) and start a run.")

        @OptionGroup var options: ServerOptions

        @Argument(help: "The pipeline spec, a YAML file.")
        var file: String

        @Option(name: .customLong("param"), help: "A parameter as name=value (repeatable); lists as a,b,c.")
        var params: [String] = []

        @Flag(help: "Follow the run until it ends, showing each step's state; exit 1 unless it succeeds.")
        var watch = false

        func run() async throws {
            try await options.run {
                let yaml: String
                do { yaml = try String(contentsOfFile: file, encoding: .utf8) } catch {
                    throw ValidationError("Cannot read \(file): \(error.localizedDescription)")
                }
                var values: [String: PipelineSubmission.ParamValue] = [:]
                for param in params {
                    guard let equals = param.firstIndex(of: "="), equals != param.startIndex else {
                        throw ValidationError("--param takes name=value, got '\(param)'.")
                    }
                    values[String(param[..<equals])] = .init(String(param[param.index(after: equals)...]))
                }
                let data = try await options.client.sendRaw("POST", "/api/v1/pipeline-runs", body: PipelineSubmission(spec_yaml: yaml, params: values))
                let run = try JSONDecoder().decode(PipelineRunEnvelope.self, from: data).pipeline_run
                guard watch else {
                    try options.output(data, as: PipelineRunEnvelope.self) { "started pipeline run \($0.pipeline_run.run_id) of \($0.pipeline_run.pipeline_name)" }
                    return
                }
                print("started pipeline run \(run.run_id) of \(run.pipeline_name)")
                let final = try await PipelineWatch(client: options.client).follow(runID: run.run_id)
                if final.status != "succeeded" { throw ExitCode(1) }
            }
        }
    }

    struct PipelineStatus: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "Show a pipeline run's steps, or list recent runs.")

        @OptionGroup var options: ServerOptions

        @Argument(help: "A pipeline run id; without it, the most recent runs.")
        var runID: String?

        @Flag(help: "Keep following the run until it ends.")
        var watch = false

        func run() async throws {
            try await options.run {
                guard let runID else {
                    let data = try await options.client.sendRaw("GET", "/api/v1/pipeline-runs", query: ["limit": "20"])
                    try options.output(data, as: PipelineRunsEnvelope.self) { list in
                        TextTable(["RUN", "PIPELINE", "STATUS", "STARTED", "MESSAGE"], list.pipeline_runs.map {
                            [$0.run_id, $0.pipeline_name, $0.status, TextTable.date($0.created_at), $0.message]
                        }).render()
                    }
                    return
                }
                if watch {
                    _ = try await PipelineWatch(client: options.client).follow(runID: runID)
                    return
                }
                let data = try await options.client.sendRaw("GET", "/api/v1/pipeline-runs/\(CairnAPIClient.segment(runID))")
                try options.output(data, as: PipelineRunEnvelope.self) { PipelineWatch.table($0.pipeline_run) }
            }
        }
    }

    struct CancelPipeline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a running pipeline run (its steps are stopped).")

        @OptionGroup var options: ServerOptions

        @Argument(help: "The pipeline run id.")
        var runID: String

        func run() async throws {
            try await options.run {
                let data = try await options.client.sendRaw("POST", "/api/v1/pipeline-runs/\(CairnAPIClient.segment(runID))/cancel", body: EmptyBody())
                try options.output(data, as: PipelineRunEnvelope.self) { "cancelling pipeline run \($0.pipeline_run.run_id)" }
            }
        }
    }

    struct RetryPipeline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retry", abstract: "Rerun the failed part of a failed or cancelled run (succeeded steps are kept).")

        @OptionGroup var options: ServerOptions

        @Argument(help: "The pipeline run id.")
        var runID: String

        @Flag(help: "Follow the run until it ends.")
        var watch = false

        func run() async throws {
            try await options.run {
                let data = try await options.client.sendRaw("POST", "/api/v1/pipeline-runs/\(CairnAPIClient.segment(runID))/retry", body: EmptyBody())
                guard watch else {
                    try options.output(data, as: PipelineRunEnvelope.self) { "retrying pipeline run \($0.pipeline_run.run_id)" }
                    return
                }
                let final = try await PipelineWatch(client: options.client).follow(runID: runID)
                if final.status != "succeeded" { throw ExitCode(1) }
            }
        }
    }

    struct PipelineLogs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print a step's output, optionally following it.")

        @OptionGroup var options: ServerOptions

        @Argument(help: "The pipeline run id.")
        var runID: String

        @Argument(help: "The step (foreach items as name[index]).")
        var step: String

        @Flag(help: "stderr instead of stdout.")
        var stderr = false

        @Option(help: "Which try (default: the latest).")
        var attempt: Int?

        @Flag(name: .shortAndLong, help: "Keep printing new output until the step ends.")
        var follow = false

        func run() async throws {
            try await options.run {
                var offset = 0
                var pinned = attempt  // follow one try: a retry starting meanwhile has its own log
                while true {
                    var query = ["stream": stderr ? "stderr" : "stdout", "offset": String(offset)]
                    if let pinned { query["attempt"] = String(pinned) }
                    let chunk = try await options.client.send(
                        "GET", "/api/v1/pipeline-runs/\(CairnAPIClient.segment(runID))/steps/\(CairnAPIClient.segment(step))/logs",
                        query: query, as: StepLogJSON.self)
                    FileHandle.standardOutput.write(Data(chunk.text.utf8))
                    offset = chunk.next_offset
                    pinned = chunk.attempt
                    if !follow || (chunk.finished && chunk.text.isEmpty) { return }
                    if chunk.text.isEmpty { try await Task.sleep(for: .milliseconds(300)) }
                }
            }
        }
    }

    struct ExportPipeline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export", abstract: "Write Kubernetes manifests for a pipeline spec: an Argo Workflow or one batch/v1 Job per step.")

        @Argument(help: "The pipeline spec, a YAML file.")
        var file: String

        @Option(help: "argo or k8s-job.")
        var format: PipelineExportFormat

        @Option(help: "Container image the steps run in.")
        var image = "python:3.11-slim"

        func run() async throws {
            let yaml = try String(contentsOfFile: file, encoding: .utf8)
            do {
                let spec = try PipelineSpecParser.parse(yaml: yaml)
                print(try PipelineExporter.export(spec, format: format, image: image), terminator: "")
            } catch let error as SpecError {
                FileHandle.standardError.write(Data("error: invalid pipeline spec: \(error)\n".utf8))
                throw ExitCode(1)
            } catch let error as PipelineExportError {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

extension PipelineExportFormat: ExpressibleByArgument {}

/// `{}`: the API takes JSON bodies on every POST.
struct EmptyBody: Encodable {}
