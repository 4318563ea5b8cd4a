import CairnCore
import CairnRegistry
import CairnStorage
import CairnTracking
import Foundation

/// Moves step data through the artifact store: a step's outputs are uploaded (content-addressed)
/// below `outputs/<name>/` of its MLflow run when it succeeds, and inputs are copied out of the
/// store into the step's folder before it starts, after the store has verified every byte.
struct StepFiles {
    let tracking: TrackingService
    let registry: RegistryService
    let database: Database

    var store: any ArtifactStore { tracking.artifacts }

    /// The store path of an MLflow run's artifact root.
    func artifactRoot(ofRun runID: String) async throws -> ArtifactPath {
        let run = try await tracking.getRunInfo(id: runID)
        guard let root = TrackingService.proxiedPath(ofArtifactURI: run.artifactURI) else {
            throw CairnError.invalidParameter("Run \(runID) keeps its artifacts outside Cairn (\(run.artifactURI)).")
        }
        return root
    }

    /// The stored files an input source stands for (for hashing and copying), keyed by their
    /// path relative to the input's folder. `producerRuns` are the MLflow runs holding the
    /// producing step's outputs, one per foreach item (fan-in: `<index>/…`), or one.
    func files(of source: InputSource, producerRuns: [(index: Int?, runID: String)]) async throws -> [(relative: String, artifact: StoredArtifact)] {
        switch source {
        case .stepOutput(_, let output):
            var files: [(String, StoredArtifact)] = []
            for producer in producerRuns {
                let folder = try await artifactRoot(ofRun: producer.runID).appending(try ArtifactPath(validating: "outputs/\(output)"))
                for artifact in try await listFiles(folder) {
                    let relative = folder.relativePath(of: artifact.path) ?? artifact.path.lastComponent
                    files.append((producer.index.map { "\($0)/\(relative)" } ?? relative, artifact))
                }
            }
            return files
        case .runArtifact(let uri):
            let rest = uri.dropFirst("runs:/".count)
            let runID = String(rest.prefix { $0 != "/" })
            let path = try ArtifactPath(validating: String(rest.dropFirst(runID.count).drop { $0 == "/" }))
            let target = try await artifactRoot(ofRun: runID).appending(path)
            if try await store.isDirectory(target) || path.isRoot {
                return try await listFiles(target).map { (target.relativePath(of: $0.path) ?? $0.path.lastComponent, $0) }
            }
            return [(path.lastComponent, try await store.stat(target))]
        case .model(let uri):
            let version = try await resolveModel(uri)
            guard let location = version.storageLocation, let snapshot = TrackingService.proxiedPath(ofArtifactURI: location) else {
                throw CairnError.invalidParameter("Model \(uri) is registered from outside Cairn's store; its files cannot be passed to a step.")
            }
            return try await listFiles(snapshot).map { (snapshot.relativePath(of: $0.path) ?? $0.path.lastComponent, $0) }
        case .param:
            return []
        }
    }

    private func listFiles(_ folder: ArtifactPath) async throws -> [StoredArtifact] {
        try await database.read { db in try await ArtifactSnapshot.files(at: folder, on: db) }
    }

    /// `models:/<name>/<version>`, `models:/<name>@<alias>`, `models:/<name>/latest` or a stage.
    func resolveModel(_ uri: String) async throws -> ModelVersion {
        let rest = String(uri.dropFirst("models:/".count))
        if let at = rest.lastIndex(of: "@") {
            return try await registry.version(name: String(rest[..<at]), alias: String(rest[rest.index(after: at)...]))
        }
        guard let slash = rest.lastIndex(of: "/") else { throw CairnError.invalidParameter("'\(uri)' names no version, alias or stage.") }
        let name = String(rest[..<slash]), selector = String(rest[rest.index(after: slash)...])
        if let number = Int64(selector) { return try await registry.getModelVersion(name: name, version: number) }
        let stages = selector.lowercased() == "latest" ? [] : [selector]
        guard let latest = try await registry.latestVersions(name: name, stages: stages).max(by: { $0.version < $1.version }) else {
            throw CairnError(.resourceDoesNotExist, "No version of model '\(name)' matches '\(selector)'.")
        }
        return latest
    }

    /// Copies stored files into `folder` (creating it), re-hashing each on the way.
    func materialize(_ files: [(relative: String, artifact: StoredArtifact)], into folder: URL) async throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (relative, artifact) in files {
            let destination = folder.appending(path: relative)
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: destination.path, contents: nil)
            let handle = try FileHandle(forWritingTo: destination)
            defer { try? handle.close() }
            try await store.read(artifact) { buffer in try handle.write(contentsOf: buffer.readableBytesView) }
        }
    }

    /// Uploads every file below `folder` to `destination` in the store.
    func publish(_ folder: URL, to destination: ArtifactPath) async throws {
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else { return }
        let base = folder.standardizedFileURL.path
        for case let file as URL in enumerator where (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            let relative = String(file.standardizedFileURL.path.dropFirst(base.count).drop { $0 == "/" })
            _ = try await store.put(destination.appending(try ArtifactPath(validating: relative)), body: FileChunks(url: file))
        }
    }
}
