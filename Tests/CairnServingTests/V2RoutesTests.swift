import CairnServing
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The Open Inference Protocol routes of a replica over a real ONNX Runtime session.
@Suite("Open Inference Protocol (V2)", .enabled(if: ProcessInfo.processInfo.environment["CAIRN_TEST_PYTHON"] != nil))
struct V2RoutesTests {
    @Test("Metadata, readiness, inference equal to Python's, and errors that name the problem")
    func protocolRoutes() async throws {
        let (model, expected, folder) = try OnnxSessionTests.loadModel(name: "churn", version: "3")
        defer { try? FileManager.default.removeItem(at: folder) }
        let state = ReplicaState()
        let app = Application(router: ReplicaApplication.router(model: model, state: state))
        try await app.test(.router) { client in
            let notReady = try await client.execute(uri: "/v2/health/ready", method: .get)
            #expect(notReady.status == .serviceUnavailable)
            try await ReplicaApplication.warmUp(model)
            state.markReady()
            #expect(try await client.execute(uri: "/v2/health/ready", method: .get).status == .ok)

            let metadata = try await client.execute(uri: "/v2/models/churn", method: .get)
            #expect(metadata.headers[ReplicaState.versionHeader] == "3")
            let meta = try JSONSerialization.jsonObject(with: Data(buffer: metadata.body)) as! [String: Any]
            #expect(meta["platform"] as? String == "onnx_onnxv1")
            #expect((meta["inputs"] as! [[String: Any]])[0]["shape"] as? [Int] == [-1, 6])

            let rows = expected.rows.prefix(2).map { $0.map(Double.init) }
            let body = try JSONSerialization.data(withJSONObject: [
                "id": "r1", "inputs": [["name": expected.input, "shape": [2, 6], "datatype": "FP32", "data": rows]],
                "outputs": [["name": "probabilities"]]])
            let infer = try await client.execute(uri: "/v2/models/churn/versions/3/infer", method: .post, body: ByteBuffer(bytes: body))
            #expect(infer.status == .ok)
            let answer = try JSONSerialization.jsonObject(with: Data(buffer: infer.body)) as! [String: Any]
            #expect(answer["id"] as? String == "r1" && answer["model_version"] as? String == "3")
            let outputs = answer["outputs"] as! [[String: Any]]
            #expect(outputs.map { $0["name"] as? String } == ["probabilities"])
            let got = outputs[0]["data"] as! [Double]
            for (value, want) in zip(got, expected.probabilities.prefix(2).flatMap { $0 }) { #expect(abs(value - Double(want)) <= 1e-6) }

            for (request, fragment) in [
                (#"{"inputs": [{"name": "nope", "shape": [1, 6], "datatype": "FP32", "data": [1,2,3,4,5,6]}]}"#, "Unknown input 'nope'"),
                (#"{"inputs": [{"name": "X", "shape": [1, 5], "datatype": "FP32", "data": [1,2,3,4,5]}]}"#, "has shape [1, 5]"),
                (#"{"inputs": [{"name": "X", "shape": [1, 6], "datatype": "INT64", "data": [1,2,3,4,5,6]}]}"#, "datatype INT64"),
                (#"{"inputs": [{"name": "X", "shape": [2, 6], "datatype": "FP32", "data": [1,2,3]}]}"#, "has 3 elements"),
                (#"{"inputs": [{"name": "X", "shape": [1, 6], "datatype": "FP32", "data": [1,2,3,4,5,"x"]}]}"#, "non-number"),
                (#"{"inputs": []}"#, "non-empty list"),
                ("not json", "not valid JSON"),
            ] {
                let payload = request.replacingOccurrences(of: #""name": "X""#, with: "\"name\": \"\(expected.input)\"")
                let response = try await client.execute(uri: "/v2/models/churn/infer", method: .post, body: ByteBuffer(string: payload))
                #expect(response.status == .badRequest, "\(payload)")
                let error = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: String])?["error"] ?? ""
                #expect(error.contains(fragment), "\(payload): \(error)")
            }
            #expect(try await client.execute(uri: "/v2/models/other/infer", method: .post, body: ByteBuffer(string: "{}")).status == .notFound)
            #expect(try await client.execute(uri: "/v2/models/churn/versions/9", method: .get).status == .notFound)
            // Still serving after all that.
            #expect(try await client.execute(uri: "/v2/models/churn/infer", method: .post, body: ByteBuffer(bytes: body)).status == .ok)
        }
    }
}
