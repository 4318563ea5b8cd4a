import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A registered model version's frozen files, fetched from a Cairn server into a local cache and
/// verified against the version's manifest (SHA-256 of every file) before anything loads them.
public struct RegisteredModelFiles: Sendable {
    public var name: String
    public var version: String
    /// The folder holding the version's files, as the manifest lists them.
    public var folder: URL
    public var files: [String]

    public struct FetchError: Error, CustomStringConvertible {
        public var description: String
    }

    /// `models:/<name>/<version>` or `models:/<name>@<alias>`.
    public static func parse(_ uri: String) throws -> (name: String, selector: Selector) {
        guard uri.hasPrefix("models:/") else { throw FetchError(description: "'\(uri)' is not a models:/ URI") }
        let rest = String(uri.dropFirst("models:/".count))
        if let at = rest.lastIndex(of: "@"), at != rest.startIndex {
            return (String(rest[..<at]), .alias(String(rest[rest.index(after: at)...])))
        }
        guard let slash = rest.lastIndex(of: "/"), let version = Int(rest[rest.index(after: slash)...]), slash != rest.startIndex else {
            throw FetchError(description: "'\(uri)' names no version: use models:/<name>/<version> or models:/<name>@<alias>")
        }
        return (String(rest[..<slash]), .version(version))
    }

    public enum Selector: Sendable {
        case version(Int)
        case alias(String)
    }

    /// Downloads (or reuses from `cache`) the files of `uri` from the server at `server`.
    public static func fetch(_ uri: String, server: URL, cache: URL) async throws -> RegisteredModelFiles {
        let (name, selector) = try parse(uri)
        let version: String
        switch selector {
        case .version(let number): version = String(number)
        case .alias(let alias):
            var components = URLComponents(url: server.appending(path: "api/2.0/mlflow/registered-models/alias"), resolvingAgainstBaseURL: false)!
            components.queryItems = [URLQueryItem(name: "name", value: name), URLQueryItem(name: "alias", value: alias)]
            let answer = try JSONDecoder().decode(AliasAnswer.self, from: try await get(components.url!))
            version = answer.model_version.version
        }
        let manifest = try JSONDecoder().decode(Manifest.self, from: try await get(
            server.appending(path: "api/v1/models").appending(path: name).appending(path: "versions").appending(path: version).appending(path: "manifest")))
        guard manifest.immutable, let location = manifest.storage_location, location.hasPrefix("mlflow-artifacts:") else {
            throw FetchError(description: "\(name) version \(version) is registered from outside Cairn's store; a replica can only serve frozen versions")
        }
        let storePath = location.dropFirst("mlflow-artifacts:".count).drop { $0 == "/" }
        let folder = cache.appending(path: name).appending(path: version)
        for file in manifest.files {
            let local = folder.appending(path: file.path)
            if let existing = try? Data(contentsOf: local), sha256(existing) == file.sha256 { continue }
            let data = try await get(server.appending(path: "api/2.0/mlflow-artifacts/artifacts").appending(path: String(storePath)).appending(path: file.path))
            guard sha256(data) == file.sha256 else {
                throw FetchError(description: "\(file.path) of \(name) version \(version) does not match its manifest hash \(file.sha256)")
            }
            try FileManager.default.createDirectory(at: local.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: local, options: .atomic)
        }
        return RegisteredModelFiles(name: name, version: version, folder: folder, files: manifest.files.map(\.path))
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    private static func get(_ url: URL) async throws -> Data {
        let (data, response) = try await URLSession.shared.data(from: url)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else {
            throw FetchError(description: "GET \(url.path) answered \(status): \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return data
    }

    struct Manifest: Decodable {
        struct File: Decodable {
            let path: String
            let sha256: String
        }

        let storage_location: String?
        let immutable: Bool
        let files: [File]
    }

    struct AliasAnswer: Decodable {
        struct Version: Decodable { let version: String }
        let model_version: Version
    }
}
