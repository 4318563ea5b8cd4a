import CairnServing
import Foundation
import Testing

/// ONNX Runtime through its C API against Python's onnxruntime on the same model and rows. The
/// model is trained and converted by the test venv's Python (scripts/test.sh sets CAIRN_TEST_PYTHON).
@Suite("ONNX Runtime sessions", .enabled(if: ProcessInfo.processInfo.environment["CAIRN_TEST_PYTHON"] != nil))
struct OnnxSessionTests {
    static let python = ProcessInfo.processInfo.environment["CAIRN_TEST_PYTHON"] ?? "python3"

    static let script = #"""
        import json, sys
        import numpy as np
        import onnxruntime as ort
        from skl2onnx import to_onnx
        from sklearn.datasets import make_classification
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        out = sys.argv[1]
        X, y = make_classification(n_samples=400, n_features=6, random_state=3)
        X = X.astype(np.float32)
        model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
        onx = to_onnx(model, X[:1], options={"zipmap": False})
        open(f"{out}/model.onnx", "wb").write(onx.SerializeToString())
        rows = X[:5]
        session = ort.InferenceSession(f"{out}/model.onnx", providers=["CPUExecutionProvider"])
        label, probabilities = session.run(None, {session.get_inputs()[0].name: rows})
        json.dump({"input": session.get_inputs()[0].name, "rows": rows.tolist(), "label": label.tolist(),
                   "probabilities": probabilities.tolist(), "library": ort.__file__}, open(f"{out}/expected.json", "w"))
        """#

    struct Expected: Decodable {
        let input: String
        let rows: [[Float]]
        let label: [Int64]
        let probabilities: [[Float]]
    }

    static func prepare() throws -> (folder: URL, expected: Expected) {
        let folder = FileManager.default.temporaryDirectory.appending(path: "cairn-onnx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = ["-c", Self.script, folder.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "the model could not be built with \(Self.python)")
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: folder.appending(path: "expected.json")))
        return (folder, expected)
    }

    /// The test model loaded into an in-process ONNX Runtime session, served as `name` at `version`;
    /// the caller removes `folder`.
    static func loadModel(name: String = "m", version: String = "1") throws -> (model: OnnxModel, expected: Expected, folder: URL) {
        let (folder, expected) = try prepare()
        let library = try OnnxRuntimeLibrary(path: try OnnxRuntimeLibrary.locate(pythons: [python]))
        let session = try OnnxSession(library: library, modelPath: folder.appending(path: "model.onnx").path)
        return (OnnxModel(name: name, version: version, session: session), expected, folder)
    }

    @Test("A scikit-learn pipeline gives Python onnxruntime's labels and probabilities (1e-6)")
    func matchesPython() throws {
        let (folder, expected) = try Self.prepare()
        defer { try? FileManager.default.removeItem(at: folder) }
        let library = try OnnxRuntimeLibrary(path: try OnnxRuntimeLibrary.locate(pythons: [Self.python]))
        let session = try OnnxSession(library: library, modelPath: folder.appending(path: "model.onnx").path)
        #expect(session.inputs == [TensorSignature(name: expected.input, datatype: "FP32", shape: [-1, 6])])
        #expect(session.outputs.map(\.name) == ["label", "probabilities"])
        #expect(session.outputs.map(\.datatype) == ["INT64", "FP32"])
        let input = Tensor(shape: [Int64(expected.rows.count), 6], elements: .float32(expected.rows.flatMap { $0 }))
        let outputs = try session.run([expected.input: input])
        #expect(outputs["label"] == Tensor(shape: [5], elements: .int64(expected.label)))
        let probabilities = try #require(outputs["probabilities"])
        #expect(probabilities.shape == [5, 2])
        for (got, want) in zip(probabilities.elements.doubles, expected.probabilities.flatMap { $0 }.map(Double.init)) {
            #expect(abs(got - want) <= 1e-6)
        }
    }

    @Test("Wrong shapes and missing inputs are errors, and the session keeps working")
    func badInput() throws {
        let (folder, expected) = try Self.prepare()
        defer { try? FileManager.default.removeItem(at: folder) }
        let library = try OnnxRuntimeLibrary(path: try OnnxRuntimeLibrary.locate(pythons: [Self.python]))
        let session = try OnnxSession(library: library, modelPath: folder.appending(path: "model.onnx").path)
        #expect(throws: OnnxError.self) { try session.run([:]) }
        #expect(throws: OnnxError.self) { try session.run([expected.input: Tensor(shape: [1, 4], elements: .float32([1, 2, 3, 4]))]) }
        let row = Tensor(shape: [1, 6], elements: .float32(expected.rows[0]))
        #expect(try session.run([expected.input: row])["label"] == Tensor(shape: [1], elements: .int64([expected.label[0]])))
        #expect(throws: OnnxRuntimeLibrary.LoadError.self) { try OnnxRuntimeLibrary(path: "/nonexistent/libonnxruntime.so") }
    }
}
