import ArgumentParser
import NIOCore
import NIOPosix

/// The `cairn` command line.
@main
struct Cairn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cairn: experiment tracking, model registry, pipelines, serving and monitoring in one binary.",
        subcommands: [ServerCommand.self, ReplicaCommand.self, ModelsCommand.self, PipelineCommand.self, DeployCommand.self, DriftCommand.self, FeaturesCommand.self])

    static func main() async {
        // A replica's requests run on NIO's event loops rather than hopping to Swift's own thread
        // pool and back: a hop costs more than a small model's whole prediction. It must be
        // installed first thing, on the main thread.
        if CommandLine.arguments.dropFirst().first == ReplicaCommand.configuration.commandName {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        await main(nil)
    }
}
