import CairnCore
import CairnHTTP
import Foundation
import HTTPTypes
import NIOCore

/// An inference path of the gateway and what it means: which deployment, the path to send to the
/// replica, and how errors are written (`{"error": …}` for the Open Inference Protocol and
/// KServe V1, MLflow's `{"error_code", "message"}` for `/invocations`).
struct GatewayEndpoint: Sendable, Equatable {
    enum ErrorStyle: Sendable {
        case v2
        case mlflow
    }

    let deployment: String
    let replicaPath: String
    let errors: ErrorStyle
    /// Largest request body passed on.
    static let maxBodyBytes = 64 << 20

    init(deployment: String, replicaPath: String, errors: ErrorStyle) {
        self.deployment = deployment
        self.replicaPath = replicaPath
        self.errors = errors
    }

    /// The endpoint a POST to `path` names, if any (the query, if given, is not passed on); nil
    /// for every other path, and for names the router must decode (percent-escapes).
    init?(postPath path: String) {
        let path = path.firstIndex(of: "?").map { path[..<$0] } ?? Substring(path)
        if let name = Self.segment(of: path, prefix: "/v2/models/", suffix: "/infer") {
            self.init(deployment: name, replicaPath: "/v2/models/\(name)/infer", errors: .v2)
        } else if let name = Self.segment(of: path, prefix: "/deployments/", suffix: "/invocations") {
            self.init(deployment: name, replicaPath: "/invocations", errors: .mlflow)
        } else if let name = Self.segment(of: path, prefix: "/v1/models/", suffix: ":predict") {
            self.init(deployment: name, replicaPath: "/v1/models/\(name):predict", errors: .v2)
        } else {
            return nil
        }
    }

    /// The one path segment between `prefix` and `suffix`.
    private static func segment(of path: Substring, prefix: String, suffix: String) -> String? {
        guard path.count > prefix.count + suffix.count, path.hasPrefix(prefix), path.hasSuffix(suffix) else { return nil }
        let name = path.dropFirst(prefix.count).dropLast(suffix.count)
        guard !name.utf8.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "%") }) else { return nil }
        return String(name)
    }

    /// The JSON body of an error answer in `style`.
    static func errorBody(_ error: CairnError, style: ErrorStyle) -> ByteBuffer {
        var json = JSONWriter(capacity: 128)
        switch style {
        case .v2:
            json.append("{\"error\":")
        case .mlflow:
            json.append("{\"error_code\":")
            json.writeString(error.code.rawValue)
            json.append(",\"message\":")
        }
        json.writeString(error.message)
        json.append(byte: UInt8(ascii: "}"))
        return ByteBuffer(bytes: json.bytes)
    }
}

extension HTTPField.Name {
    /// A user or session id that keeps a caller on one revision (A/B).
    static let cairnRoutingKey = Self("X-Cairn-Routing-Key")!
    static let requestID = Self("X-Request-Id")!
    /// The revision that answered.
    static let cairnRevision = Self("X-Cairn-Revision")!
    /// The model version that answered, as the replica says.
    static let cairnModelVersion = Self("X-Cairn-Model-Version")!
}

extension GatewayRequest {
    /// The caller's request id when usable, or a new one.
    static func requestID(given: String?) -> String {
        given.flatMap { $0.isEmpty || $0.utf8.count > 128 ? nil : $0 } ?? RequestIDs.next()
    }
}
