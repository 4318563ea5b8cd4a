import CairnCore
import CairnStorage
import CairnTracking
import Foundation

extension RegistryService {
    /// Resolves a version's `source` to its run, logged model and files, applying MLflow's rules:
    /// `runs:/` names its run, `models:/<model_id>` its logged model, and an `mlflow-artifacts:` or
    /// proxy URL must lie inside the given run's (or logged model's) artifact folder.
    func resolveSource(_ source: String, runID: String?, loggedModelID: String?) async throws -> ModelSource {
        guard !source.isEmpty else { throw CairnError.invalidParameter("Missing value for required parameter 'source'.") }
        if source.split(separator: "/").contains("..") || source.contains("%2e%2e") || source.contains("%2E%2E") {
            throw CairnError.invalidParameter("Invalid model version source: '\(source)'. Sources must not contain '..'.")
        }
        if source.hasPrefix("runs:/") {
            return try await runSource(source, runID: runID)
        }
        if source.hasPrefix("models:/") || loggedModelID != nil {
            let id = loggedModelID ?? String(source.dropFirst("models:/".count))
            let model = try await tracking.getLoggedModel(id: id)
            if let runID, !runID.isEmpty, let sourceRun = model.sourceRunID, sourceRun != runID {
                throw CairnError.invalidParameter("The run_id '\(runID)' does not match logged model '\(id)', which was logged by run '\(sourceRun)'.")
            }
            return ModelSource(runID: model.sourceRunID ?? runID, loggedModelID: model.modelID,
                               artifactPath: TrackingService.proxiedPath(ofArtifactURI: model.artifactURI))
        }
        if let path = Self.proxiedPath(of: source) {
            if let runID, !runID.isEmpty {
                let run = try await tracking.getRunInfo(id: runID)
                let runRoot = TrackingService.proxiedPath(ofArtifactURI: run.artifactURI)
                var inside = runRoot?.contains(path) ?? false
                if !inside { inside = try await loggedModelRoots(ofRun: run).contains { $0.contains(path) } }
                guard inside else {
                    throw CairnError.invalidParameter("Invalid model version source: '\(source)'. It must lie inside the artifact folder of run '\(runID)'.")
                }
            }
            return ModelSource(runID: runID.flatMap { $0.isEmpty ? nil : $0 }, loggedModelID: nil, artifactPath: path)
        }
        if !source.contains("://") || source.hasPrefix("file:") {
            throw CairnError.invalidParameter("Invalid model version source: '\(source)'. A local path cannot be registered with a remote server; log the model to a run and register 'runs:/<run_id>/<path>' instead.")
        }
        // Another store (s3://, gs://, …): recorded as given; Cairn cannot freeze files it does not hold.
        if let runID, !runID.isEmpty { _ = try await tracking.getRunInfo(id: runID) }
        return ModelSource(runID: runID.flatMap { $0.isEmpty ? nil : $0 }, loggedModelID: nil, artifactPath: nil)
    }

    private func runSource(_ source: String, runID: String?) async throws -> ModelSource {
        let rest = source.dropFirst("runs:/".count)
        let sourceRunID = String(rest.prefix { $0 != "/" })
        let relative = try ArtifactPath(validating: String(rest.dropFirst(sourceRunID.count).drop { $0 == "/" }))
        if let runID, !runID.isEmpty, runID != sourceRunID {
            throw CairnError.invalidParameter("The run_id request parameter '\(runID)' does not match the run in source '\(source)'.")
        }
        let run = try await tracking.getRunInfo(id: sourceRunID)
        return ModelSource(runID: sourceRunID, loggedModelID: nil,
                           artifactPath: TrackingService.proxiedPath(ofArtifactURI: run.artifactURI)?.appending(relative))
    }

    private func loggedModelRoots(ofRun run: RunInfo) async throws -> [ArtifactPath] {
        try await tracking.getRun(id: run.runID).modelOutputs.asyncCompactMap { output in
            guard let model = try? await tracking.getLoggedModel(id: output.modelID) else { return nil }
            return TrackingService.proxiedPath(ofArtifactURI: model.artifactURI)
        }
    }

    /// The store path named by `mlflow-artifacts:/…` or `http(s)://…/api/2.0/mlflow-artifacts/artifacts/…`.
    static func proxiedPath(of source: String) -> ArtifactPath? {
        if let path = TrackingService.proxiedPath(ofArtifactURI: source) { return path }
        guard source.hasPrefix("http://") || source.hasPrefix("https://"),
              let marker = source.range(of: "/api/2.0/mlflow-artifacts/artifacts/") else { return nil }
        return try? ArtifactPath(percentEncoded: String(source[marker.upperBound...]))
    }
}

extension Sequence where Element: Sendable {
    func asyncCompactMap<T>(_ transform: (Element) async throws -> T?) async rethrows -> [T] {
        var result: [T] = []
        for element in self {
            if let value = try await transform(element) { result.append(value) }
        }
        return result
    }
}
