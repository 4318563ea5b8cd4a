import ArgumentParser

/// The `cairn` command line.
@main
struct Cairn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cairn: experiment tracking, model registry, pipelines, serving and monitoring in one binary.",
        subcommands: [ServerCommand.self, ReplicaCommand.self, ModelsCommand.self, PipelineCommand.self])
}
