import CairnCore
import CairnHTTP
import CairnStorage
import Foundation
import Hummingbird

/// MLflow's artifact proxy (`/api/2.0/mlflow-artifacts/artifacts/<path>`): PUT, GET, list and
/// DELETE against the content-addressed store, plus the tracking API's run-relative listing.
/// Every path is validated before use; one that could escape its root is refused with 400.
public struct ArtifactProxyRoutes<Context: RequestContext>: Sendable {
    let service: TrackingService

    public init(service: TrackingService) {
        self.service = service
    }

    public func register(artifacts: APIRoutes<Context>, tracking: APIRoutes<Context>) {
        artifacts.raw([.put], path: "/artifacts/**") { request, _ in
            let path = try Self.artifactPath(in: request)
            _ = try await service.artifacts.put(path, body: request.body)
            return JSONResponse.empty()
        }
        artifacts.raw([.get], path: "/artifacts/**") { request, context in
            try await download(try Self.artifactPath(in: request), context: context)
        }
        artifacts.json(.get, path: "/artifacts") { fields, _, _ in
            let path = try ArtifactPath(validating: try fields.string("path") ?? "")
            let entries = try await service.artifacts.list(path)
            return ListArtifactsResponse(files: entries.nonEmpty?.map { FileInfoDTO(path: $0.name, is_dir: $0.isDirectory, file_size: $0.size) })
        }
        artifacts.raw([.delete], path: "/artifacts/**") { request, _ in
            try await service.artifacts.delete(try Self.artifactPath(in: request))
            return JSONResponse.empty()
        }
        tracking.json(.get, path: "/artifacts/list") { fields, _, _ in
            let run = try await service.getRunInfo(id: try fields.runID())
            let relative = try ArtifactPath(validating: try fields.string("path") ?? "")
            guard let root = TrackingService.proxiedPath(ofArtifactURI: run.artifactURI) else {
                return ListRunArtifactsResponse(root_uri: run.artifactURI, files: nil)
            }
            let entries = try await service.artifacts.list(root.appending(relative))
            let files = entries.map { entry in
                FileInfoDTO(path: relative.isRoot ? entry.name : relative.value + "/" + entry.name,
                            is_dir: entry.isDirectory, file_size: entry.size)
            }
            return ListRunArtifactsResponse(root_uri: run.artifactURI, files: files.nonEmpty)
        }
    }

    /// Files up to this size are verified before the answer starts, so corruption gets a clean
    /// DATA_LOSS error; larger ones stream while hashing, and a mismatch cuts the transfer short
    /// before its last chunk (the client sees a truncated body, never a complete wrong file).
    static var verifyBeforeSendingLimit: Int64 { 16 << 20 }

    private func download(_ path: ArtifactPath, context: Context) async throws -> Response {
        let artifact: StoredArtifact
        do {
            artifact = try await service.artifacts.stat(path)
        } catch let error as CairnError where error.code == .resourceDoesNotExist {
            if try await service.artifacts.isDirectory(path) {
                throw CairnError.invalidParameter("Artifact path refers to a directory, not a file: '\(path.value)'")
            }
            throw error
        }
        let name = path.lastComponent
        let headers: HTTPFields = [
            .contentType: MediaType.forFileName(name),
            .contentDisposition: Self.contentDisposition(for: name),
            .init("X-Content-Type-Options")!: "nosniff",
            .contentLength: String(artifact.size),
            .eTag: "\"\(artifact.sha256)\"",
        ]
        let store = service.artifacts
        if artifact.size <= Self.verifyBeforeSendingLimit {
            var whole = ByteBuffer()
            whole.reserveCapacity(Int(artifact.size))
            try await store.read(artifact) { whole.writeImmutableBuffer($0) }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: whole))
        }
        let logger = context.logger
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            do {
                try await store.read(artifact) { try await writer.write($0) }
            } catch {
                logger.error("Download of '\(artifact.path.value)' stopped: \(error)")
                throw error
            }
            try await writer.finish(nil)
        })
    }

    /// `attachment; filename=…`, with the RFC 5987 form for names that are not plain ASCII.
    static func contentDisposition(for name: String) -> String {
        if name.allSatisfy({ $0.isASCII && $0 != "\"" && $0 != "\\" }) {
            return "attachment; filename=\(name)"
        }
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "download"
        return "attachment; filename*=UTF-8''\(encoded)"
    }

    /// The validated path after `/artifacts/`, taken from the raw (still percent-encoded) URI.
    static func artifactPath(in request: Request) throws -> ArtifactPath {
        let raw = request.uri.path
        guard let marker = raw.range(of: "/mlflow-artifacts/artifacts/") else {
            throw CairnError.invalidParameter("Invalid path")
        }
        let path = try ArtifactPath(percentEncoded: String(raw[marker.upperBound...]))
        guard !path.isRoot else { throw CairnError.invalidParameter("Invalid path: no artifact path given.") }
        return path
    }
}
