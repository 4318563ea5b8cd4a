@testable import CairnDeploy
import CairnCore
import Foundation
import Testing

@Suite("Gateway endpoints, request ids and response headers")
struct GatewayEndpointTests {
    @Test("Each inference path names its deployment, the replica's path and its error shape; other paths are the router's")
    func paths() {
        #expect(GatewayEndpoint(postPath: "/v2/models/churn/infer") == GatewayEndpoint(deployment: "churn", replicaPath: "/v2/models/churn/infer", errors: .v2))
        #expect(GatewayEndpoint(postPath: "/v2/models/churn/infer?trace=1") == GatewayEndpoint(deployment: "churn", replicaPath: "/v2/models/churn/infer", errors: .v2))
        #expect(GatewayEndpoint(postPath: "/deployments/churn/invocations") == GatewayEndpoint(deployment: "churn", replicaPath: "/invocations", errors: .mlflow))
        #expect(GatewayEndpoint(postPath: "/v1/models/churn:predict") == GatewayEndpoint(deployment: "churn", replicaPath: "/v1/models/churn:predict", errors: .v2))
        for other in ["/v2/models//infer", "/v2/models/a/b/infer", "/v2/models/ch%75rn/infer", "/v2/models/churn", "/v2/models/churn/infer/",
                      "/v1/models/churn:explain", "/api/2.0/mlflow/runs/create", "/deployments/churn/invocations/x", "/infer"] {
            #expect(GatewayEndpoint(postPath: other) == nil, "\(other)")
        }
    }

    @Test("Errors are written as the Open Inference Protocol's {\"error\"} or MLflow's {\"error_code\", \"message\"}, escaped")
    func errorBodies() throws {
        let error = CairnError.notFound("Deployment \"a\\b\" does not exist.")
        let v2 = try JSONSerialization.jsonObject(with: Data(GatewayEndpoint.errorBody(error, style: .v2).readableBytesView)) as? [String: String]
        #expect(v2 == ["error": "Deployment \"a\\b\" does not exist."])
        let mlflow = try JSONSerialization.jsonObject(with: Data(GatewayEndpoint.errorBody(error, style: .mlflow).readableBytesView)) as? [String: String]
        #expect(mlflow == ["error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Deployment \"a\\b\" does not exist."])
    }

    @Test("Request ids made by the gateway are distinct time-ordered (version 7) UUIDs with random bits; a caller's usable id is kept")
    func requestIDs() throws {
        let made = (0..<10_000).map { _ in GatewayRequest.requestID(given: nil) }  // several refills of the random pool
        #expect(Set(made).count == made.count)
        for id in made.prefix(100) {
            let uuid = try #require(UUID(uuidString: id), "\(id)")
            #expect(id == id.lowercased() && id.count == 36)
            #expect(uuid.uuid.6 >> 4 == 7 && uuid.uuid.8 >> 6 == 0b10, "\(id)")
            let milliseconds = [uuid.uuid.0, uuid.uuid.1, uuid.uuid.2, uuid.uuid.3, uuid.uuid.4, uuid.uuid.5].reduce(Int64(0)) { $0 << 8 | Int64($1) }
            #expect(abs(milliseconds - Clock.nowMillis()) < 60_000, "\(id)")
        }
        // Random after the time: each bit of the last byte is set in about half of the ids.
        let ones = made.map { UUID(uuidString: $0)!.uuid.15 }.reduce(0) { $0 + $1.nonzeroBitCount }
        #expect(abs(Double(ones) / Double(made.count * 8) - 0.5) < 0.02)
        #expect(RequestIDs.text(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210) == "01234567-89ab-cdef-fedc-ba9876543210")
        #expect(GatewayRequest.requestID(given: "order-77") == "order-77")
        #expect(GatewayRequest.requestID(given: "") != "")
        #expect(GatewayRequest.requestID(given: String(repeating: "x", count: 129)).count == 36)
    }

    @Test("The Date header is RFC 9110's IMF-fixdate")
    func dates() {
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(1_795_392_000) == "Mon, 23 Nov 2026 00:00:00 GMT")
        #expect(HTTPDate.now.hasSuffix(" GMT") && HTTPDate.now.count == 29)
    }

    @Test("Connection: close is found among the header's options, in any case")
    func connectionClose() {
        #expect(GatewayChannelHandler.asksToClose("close"))
        #expect(GatewayChannelHandler.asksToClose("Keep-Alive, Close"))
        #expect(!GatewayChannelHandler.asksToClose("keep-alive"))
        #expect(!GatewayChannelHandler.asksToClose("closed"))
        #expect(!GatewayChannelHandler.asksToClose(nil))
    }
}
