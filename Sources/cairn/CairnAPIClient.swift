import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The CLI's connection to a running `cairn server`: JSON requests to its REST API, with the
/// acting user sent as `X-Cairn-User`. Server errors surface as `CairnAPIError`.
///
/// Foundation's URLSession rather than async-http-client: a one-shot CLI call should fail at once
/// when nothing listens, where the pooled client retries the connection until its deadline.
struct CairnAPIClient {
    let baseURL: String
    let user: String

    /// Where the server is: `--server`, else `CAIRN_SERVER`, else `MLFLOW_TRACKING_URI`, else the default address.
    static func make(server: String?, user: String?) -> CairnAPIClient {
        let environment = ProcessInfo.processInfo.environment
        let base = server ?? environment["CAIRN_SERVER"] ?? environment["MLFLOW_TRACKING_URI"] ?? "http://127.0.0.1:5000"
        let name = user ?? environment["CAIRN_USER"] ?? environment["USER"] ?? ""
        return CairnAPIClient(baseURL: base.hasSuffix("/") ? String(base.dropLast()) : base, user: name)
    }

    /// Sends a request and decodes the JSON answer as `Response`.
    func send<Response: Decodable>(_ method: String, _ path: String, query: [String: String] = [:],
                                   body: (any Encodable)? = nil, as: Response.Type) async throws -> Response {
        let data = try await sendRaw(method, path, query: query, body: body)
        return try JSONDecoder().decode(Response.self, from: data)
    }

    /// Sends a request and returns the answer's body; non-2xx answers throw with the server's message.
    /// `body` is sent as JSON; `payload` as it is (an artifact upload).
    func sendRaw(_ method: String, _ path: String, query: [String: String] = [:], body: (any Encodable)? = nil, payload: Data? = nil) async throws -> Data {
        var components = URLComponents(string: baseURL + path)
        if !query.isEmpty { components?.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) } }
        guard let url = components?.url else { throw CairnAPIError(status: 0, code: "BAD_URL", message: "Invalid server URL '\(baseURL)'.") }
        var request = URLRequest(url: url, timeoutInterval: 60)
        request.httpMethod = method
        if !user.isEmpty { request.setValue(user, forHTTPHeaderField: "X-Cairn-User") }
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONEncoder().encode(body)
        } else if let payload {
            request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
            request.httpBody = payload
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw CairnAPIError(status: 0, code: "UNREACHABLE", message: "Cannot reach the Cairn server at \(baseURL): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            let error = try? JSONDecoder().decode(ErrorBody.self, from: data)
            throw CairnAPIError(status: status, code: error?.error_code ?? "HTTP_\(status)",
                                message: error?.message ?? String(decoding: data, as: UTF8.self))
        }
        return data
    }

    /// A path segment with everything but unreserved characters percent-encoded (model names may hold spaces).
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")) ?? text
    }

    private struct ErrorBody: Decodable {
        let error_code: String?
        let message: String?
    }
}

/// An error answer from the server (or no answer at all).
struct CairnAPIError: Error, CustomStringConvertible {
    let status: Int
    let code: String
    let message: String

    var description: String { "\(code): \(message)" }
}
