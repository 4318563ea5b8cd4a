import ArgumentParser
import CairnServer
import Logging

/// `cairn server`: the control plane.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the Cairn control plane (an MLflow-compatible tracking server).")

    @Option(help: "Address to bind (env CAIRN_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env CAIRN_PORT; default 5000).")
    var port: Int?

    @Option(name: .customLong("backend-store-uri"),
            help: "sqlite:///path/to/cairn.db or postgresql://user:pass@host:port/db (env CAIRN_BACKEND_STORE_URI; default sqlite:///cairn-data/cairn.db).")
    var backendStoreURI: String?

    @Option(name: .customLong("artifacts-destination"),
            help: "Folder for artifacts (env CAIRN_ARTIFACTS_DESTINATION; default ./cairn-data/artifacts).")
    var artifactsDestination: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func run() async throws {
        let configuration = try ServerConfiguration.resolve(
            host: host, port: port, backendStoreURI: backendStoreURI, artifactsDestination: artifactsDestination)
        var logger = Logger(label: "cairn")
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("Unknown log level '\(logLevel)'.")
        }
        logger.logLevel = level
        try await CairnApplication.run(configuration, logger: logger)
    }
}

