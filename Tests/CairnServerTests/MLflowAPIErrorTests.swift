import CairnServer
import CairnTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// The MLflow API surface end to end through the router: each kind of bad input gets MLflow's
/// status, `error_code` and a message naming the problem, and changes nothing.
@Suite("MLflow API error mapping")
struct MLflowAPIErrorTests {
    static func withClient(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let directory = TestDatabases.temporaryDirectory()
        let configuration = ServerConfiguration(
            backendStoreURI: "sqlite:///" + directory.appendingPathComponent("cairn.db").path,
            artifactsDestination: directory.appendingPathComponent("artifacts").path)
        let services = try await CairnApplication.openServices(configuration, logger: TestDatabases.logger)
        let app = Application(router: CairnApplication.router(services: services), logger: TestDatabases.logger)
        do {
            try await app.test(.router, body)
        } catch {
            await services.database.close()
            throw error
        }
        await services.database.close()
    }

    static let json: HTTPFields = [.contentType: "application/json"]

    struct ErrorBody: Decodable {
        let error_code: String
        let message: String
    }

    static func post(_ client: any TestClientProtocol, _ path: String, _ body: String, headers: HTTPFields = json) async throws -> TestResponse {
        try await client.execute(uri: "/api/2.0/mlflow" + path, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    static func error(_ response: TestResponse) throws -> ErrorBody {
        try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
    }

    static func experimentCount(_ client: any TestClientProtocol) async throws -> Int {
        let response = try await post(client, "/experiments/search", #"{"max_results": 1000, "view_type": "ALL"}"#)
        let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
        return (object?["experiments"] as? [Any])?.count ?? 0
    }

    @Test("Malformed JSON, wrong types and missing fields are 400 INVALID_PARAMETER_VALUE and create nothing")
    func badBodies() async throws {
        try await Self.withClient { client in
            let cases: [(String, String, String)] = [
                (#"{"name": "x""#, "MALFORMED_REQUEST", "Malformed JSON"),
                (#"{"name": 123}"#, "INVALID_PARAMETER_VALUE", "Invalid value 123 for parameter 'name'"),
                (#"{"name": ["a"]}"#, "INVALID_PARAMETER_VALUE", "for parameter 'name'"),
                (#"{}"#, "INVALID_PARAMETER_VALUE", "Missing value for required parameter 'name'"),
                (#"{"name": "x", "tags": "oops"}"#, "INVALID_PARAMETER_VALUE", "parameter 'tags'"),
            ]
            for (body, code, message) in cases {
                let response = try await Self.post(client, "/experiments/create", body)
                #expect(response.status == .badRequest, "\(body)")
                let error = try Self.error(response)
                #expect(error.error_code == code, "\(body)")
                #expect(error.message.contains(message), "\(body): \(error.message)")
            }
            #expect(try await Self.experimentCount(client) == 1)  // only Default
        }
    }

    @Test("POST without a JSON content type is refused")
    func contentType() async throws {
        try await Self.withClient { client in
            let response = try await Self.post(client, "/experiments/create", #"{"name": "x"}"#, headers: [.contentType: "text/plain"])
            #expect(response.status == .badRequest)
            #expect(try Self.error(response).message.contains("Content-Type must be one of ['application/json']"))
        }
    }

    @Test("Missing resources are 404 RESOURCE_DOES_NOT_EXIST; duplicates are 400 RESOURCE_ALREADY_EXISTS")
    func resources() async throws {
        try await Self.withClient { client in
            let missing = try await client.execute(uri: "/api/2.0/mlflow/runs/get?run_id=nope", method: .get)
            #expect(missing.status == .notFound)
            #expect(try Self.error(missing).error_code == "RESOURCE_DOES_NOT_EXIST")
            #expect(try Self.error(missing).message == "Run with id=nope not found")
            _ = try await Self.post(client, "/experiments/create", #"{"name": "dup"}"#)
            let duplicate = try await Self.post(client, "/experiments/create", #"{"name": "dup"}"#)
            #expect(duplicate.status == .badRequest)
            #expect(try Self.error(duplicate).error_code == "RESOURCE_ALREADY_EXISTS")
        }
    }

    @Test("An unknown route is a bare 404, which the MLflow client reads as ENDPOINT_NOT_FOUND")
    func unknownRoute() async throws {
        try await Self.withClient { client in
            let response = try await client.execute(uri: "/api/2.0/mlflow/no-such-endpoint", method: .get)
            #expect(response.status == .notFound)
            #expect((try? Self.error(response)) == nil)
        }
    }

    @Test("An oversized body is 413 with an MLflow error body")
    func oversized() async throws {
        try await Self.withClient { client in
            let big = #"{"run_id": "x", "tags": [{"key": "k", "value": ""# + String(repeating: "a", count: 11 * 1024 * 1024) + #""}]}"#
            let response = try await Self.post(client, "/runs/log-batch", big)
            #expect(response.status.code == 413)
            #expect(try Self.error(response).message.contains("larger than the limit"))
        }
    }

    @Test("Invalid filters and oversized batches are 400 and name the problem")
    func invalidRequests() async throws {
        try await Self.withClient { client in
            let filter = try await Self.post(client, "/runs/search", #"{"experiment_ids": ["0"], "filter": "metrics.acc >> 1"}"#)
            #expect(filter.status == .badRequest)
            #expect(try Self.error(filter).message.contains(">>"))
            let run = try await Self.post(client, "/runs/create", #"{"experiment_id": "0", "start_time": 1}"#)
            let runObject = try JSONSerialization.jsonObject(with: Data(buffer: run.body)) as! [String: Any]
            let runID = ((runObject["run"] as! [String: Any])["info"] as! [String: Any])["run_id"] as! String
            let metrics = (0...1000).map { #"{"key": "m", "value": \#($0), "timestamp": 1, "step": \#($0)}"# }.joined(separator: ",")
            let batch = try await Self.post(client, "/runs/log-batch", #"{"run_id": "\#(runID)", "metrics": [\#(metrics)]}"#)
            #expect(batch.status == .badRequest)
            #expect(try Self.error(batch).message.contains("at most 1000 metrics"))
            let history = try await client.execute(uri: "/api/2.0/mlflow/metrics/get-history?run_id=\(runID)&metric_key=m", method: .get)
            #expect(String(buffer: history.body) == "{}")
            let noTimestamp = try await Self.post(client, "/runs/log-metric", #"{"run_id": "\#(runID)", "key": "m", "value": 1}"#)
            #expect(try Self.error(noTimestamp).message.contains("Missing value for required parameter 'timestamp'"))
        }
    }

    @Test("Artifact paths that escape their folder are refused and write nothing")
    func traversal() async throws {
        try await Self.withClient { client in
            for path in ["0/run/artifacts/%2e%2e/%2e%2e/%2e%2e/evil.txt", "%2Fetc%2Fpasswd", "0/%252e%252e/x"] {
                let response = try await client.execute(
                    uri: "/api/2.0/mlflow-artifacts/artifacts/" + path, method: .put, body: ByteBuffer(string: "evil"))
                #expect(response.status == .badRequest, "\(path)")
                #expect(try Self.error(response).error_code == "INVALID_PARAMETER_VALUE")
            }
            let listing = try await client.execute(uri: "/api/2.0/mlflow-artifacts/artifacts", method: .get)
            #expect(String(buffer: listing.body) == "{}")
        }
    }

    @Test("Health and version answer as MLflow's do")
    func operations() async throws {
        try await Self.withClient { client in
            let health = try await client.execute(uri: "/health", method: .get)
            let version = try await client.execute(uri: "/version", method: .get)
            #expect(String(buffer: health.body) == "OK")
            #expect(String(buffer: version.body) == CairnApplication.mlflowCompatibleVersion)
        }
    }
}
