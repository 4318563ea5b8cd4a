import CairnServer
import CairnTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The registry's MLflow and `/api/v1` routes through the router: bad input gets the right
/// status and `error_code`, and leaves no model behind.
@Suite("Registry API error mapping")
struct RegistryAPIErrorTests {
    static func modelCount(_ client: any TestClientProtocol) async throws -> Int {
        let response = try await client.execute(uri: "/api/2.0/mlflow/registered-models/search?max_results=1000", method: .get)
        let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
        return (object?["registered_models"] as? [Any])?.count ?? 0
    }

    @Test("Bad registry requests are refused with MLflow's codes and create nothing")
    func badRequests() async throws {
        try await MLflowAPIErrorTests.withClient { client in
            let creates: [(String, String)] = [
                (#"{"name": "a"#, "MALFORMED_REQUEST"),
                (#"{"name": ""}"#, "INVALID_PARAMETER_VALUE"),
                (#"{"name": "a/b"}"#, "INVALID_PARAMETER_VALUE"),
                (#"{"name": "ok", "tags": [{"key": "", "value": "v"}]}"#, "INVALID_PARAMETER_VALUE"),
            ]
            for (body, code) in creates {
                let response = try await MLflowAPIErrorTests.post(client, "/registered-models/create", body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(try MLflowAPIErrorTests.error(response).error_code == code, "\(body)")
            }
            #expect(try await Self.modelCount(client) == 0)

            let unknown = try await client.execute(uri: "/api/2.0/mlflow/model-versions/get?name=nope&version=1", method: .get)
            #expect(unknown.status == .notFound)
            #expect(try MLflowAPIErrorTests.error(unknown).error_code == "RESOURCE_DOES_NOT_EXIST")
            let badVersion = try await client.execute(uri: "/api/2.0/mlflow/model-versions/get?name=nope&version=abc", method: .get)
            #expect(try MLflowAPIErrorTests.error(badVersion).message == "Parameter 'version' must be an integer, got 'abc'.")

            let native = try await client.execute(uri: "/api/v1/models/nope%20here", method: .get)
            #expect(native.status == .notFound)
            #expect(try MLflowAPIErrorTests.error(native).message == "Registered Model with name=nope here not found")
            let events = try await client.execute(uri: "/api/v1/events?max_results=0", method: .get)
            #expect(events.status == .badRequest)
        }
    }
}
