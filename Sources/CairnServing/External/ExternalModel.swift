import AsyncHTTPClient
import CairnHTTP
import Foundation
import NIOCore

/// A model served by an external runtime (MLflow's scoring server): `/invocations` bodies are
/// passed to it unchanged, and V2 and KServe V1 requests are translated into its scoring protocol
/// (a DataFrame for a column signature, tensors for a tensor signature) and its predictions back.
public struct ExternalModel: InferenceModel, ScoringForwarder {
    public let name: String
    public let version: String
    public let platform = "mlflow_pyfunc"
    public let signature: ModelSignature?
    public let runtime: ExternalRuntime
    /// Largest answer read back from the runtime.
    static let maxResponseBytes = 256 << 20

    public init(name: String, version: String, signature: ModelSignature?, runtime: ExternalRuntime) {
        self.name = name
        self.version = version
        self.signature = signature
        self.runtime = runtime
    }

    public var inputs: [TensorSignature] { signature?.inputs ?? [] }
    public var outputs: [TensorSignature] {
        signature.map { $0.outputs.isEmpty ? [Self.unnamedOutput] : $0.outputs } ?? [Self.unnamedOutput]
    }
    public var isAvailable: Bool { runtime.isReady }
    public func start() async throws { try await runtime.start() }
    public func stop() async { await runtime.stop() }

    static let unnamedOutput = TensorSignature(name: ModelSignature.predictionsName, datatype: "FP64", shape: [-1])

    public func invocations(body: ByteBuffer, contentType: String) async throws(InferenceError) -> ForwardedResponse {
        try await post(body, contentType: contentType)
    }

    public func predict(_ feeds: [String: Tensor]) async throws -> [String: Tensor] {
        guard let signature else {
            throw InferenceError.badInput("Model \(name) has no signature in its MLmodel, so its inputs are unknown: send MLflow's /invocations, or log the model with a signature.")
        }
        let answer = try await post(ByteBuffer(bytes: try JSONEncoder().encode(Self.scoringRequest(feeds, signature: signature))),
                                    contentType: "application/json")
        let json: JSONValue
        do { json = try JSONValue.parse(answer.body.readableBytesView) } catch {
            throw InferenceError(status: 500, message: "The external runtime answered \(answer.status) with a body that is not JSON.")
        }
        guard answer.status == 200 else {
            let message = if case .object(let fields) = json, case .string(let text)? = fields["message"] { text } else { "status \(answer.status)" }
            throw InferenceError(status: answer.status >= 500 ? 500 : answer.status, message: message)
        }
        guard case .object(let fields) = json, case .array(let predictions)? = fields["predictions"] else {
            throw InferenceError(status: 500, message: "The external runtime's answer has no 'predictions' list.")
        }
        return try Self.tensors(predictions, outputs: outputs)
    }

    /// MLflow's scoring request for `feeds`: `dataframe_split` for columns, `inputs` for tensors.
    static func scoringRequest(_ feeds: [String: Tensor], signature: ModelSignature) -> JSONValue {
        switch signature.layout {
        case .columns:
            let columns = signature.inputs.map(\.name)
            let values = columns.map { feeds[$0].map(Self.values) ?? [] }
            let rows = feeds[columns[0]].map(\.rowCount) ?? 0
            let data = (0..<rows).map { row in JSONValue.array(values.map { $0.indices.contains(row) ? $0[row] : .null }) }
            return .object(["dataframe_split": .object(["columns": .array(columns.map { .string($0) }), "data": .array(data)])])
        case .tensors:
            if signature.inputs.count == 1, let tensor = feeds[signature.inputs[0].name] {
                return .object(["inputs": nested(tensor)])
            }
            return .object(["inputs": .object(feeds.mapValues(nested))])
        }
    }

    static func values(_ tensor: Tensor) -> [JSONValue] {
        switch tensor.elements {
        case .float32(let values): values.map { .double(Double($0)) }
        case .float64(let values): values.map { .double($0) }
        case .int32(let values): values.map { .int(Int64($0)) }
        case .int64(let values): values.map { .int($0) }
        case .bool(let values): values.map { .bool($0) }
        }
    }

    /// The tensor's elements as nested lists, one level per dimension.
    static func nested(_ tensor: Tensor) -> JSONValue {
        let flat = values(tensor)
        func level(_ dimension: Int, _ offset: Int) -> JSONValue {
            guard dimension < tensor.shape.count else { return flat[offset] }
            let stride = tensor.shape[(dimension + 1)...].reduce(1) { $0 * Int($1) }
            return .array((0..<Int(tensor.shape[dimension])).map { level(dimension + 1, offset + $0 * stride) })
        }
        return level(0, 0)
    }

    /// Predictions (one value, list or record per row) as output tensors: a list of values or of
    /// lists is the one output; a list of records has an output per field.
    static func tensors(_ predictions: [JSONValue], outputs: [TensorSignature]) throws(InferenceError) -> [String: Tensor] {
        func datatype(of name: String, _ values: [JSONValue]) -> String {
            if let declared = outputs.first(where: { $0.name == name })?.datatype, ["FP32", "FP64", "INT32", "INT64", "BOOL"].contains(declared) {
                return declared
            }
            if values.allSatisfy({ if case .int = $0 { true } else { false } }) { return "INT64" }
            if values.allSatisfy({ if case .bool = $0 { true } else { false } }) { return "BOOL" }
            return "FP64"
        }
        func tensor(_ name: String, _ column: [JSONValue]) throws(InferenceError) -> Tensor {
            var flat: [JSONValue] = []
            var width: Int?
            for cell in column {
                let cells: [JSONValue] = if case .array(let items) = cell { items } else { [cell] }
                if case .array = cell, width == nil { width = cells.count }
                guard cells.count == (width ?? 1) else { throw InferenceError(status: 500, message: "Output '\(name)' has rows of different lengths.") }
                if let text = cells.first(where: { if case .string = $0 { true } else { false } }) {
                    throw InferenceError(status: 500, message: "Output '\(name)' holds text (\(text)), which V2 and KServe V1 answers cannot carry yet; use /invocations.")
                }
                flat.append(contentsOf: cells)
            }
            let shape = width.map { [Int64(column.count), Int64($0)] } ?? [Int64(column.count)]
            do { return Tensor(shape: shape, elements: try V2InferenceRequest.elements(flat, datatype: datatype(of: name, flat), name: name)) } catch {
                throw InferenceError(status: 500, message: "Output '\(name)': \(error.message)")
            }
        }
        if case .object = predictions.first {
            var columns: [String: [JSONValue]] = [:]
            for record in predictions {
                guard case .object(let fields) = record else { throw InferenceError(status: 500, message: "The predictions mix records and values.") }
                for (key, value) in fields { columns[key, default: []].append(value) }
            }
            var out: [String: Tensor] = [:]
            for (key, column) in columns { out[key] = try tensor(key, column) }
            return out
        }
        let name = outputs.first?.name ?? ModelSignature.predictionsName
        return [name: try tensor(name, predictions)]
    }

    private func post(_ body: ByteBuffer, contentType: String) async throws(InferenceError) -> ForwardedResponse {
        guard runtime.isReady else { throw InferenceError(status: 503, message: "The model's runtime is starting; retry shortly.") }
        var request = HTTPClientRequest(url: "\(runtime.baseURL)/invocations")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(body)
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
            let answer = try await response.body.collect(upTo: Self.maxResponseBytes)
            return ForwardedResponse(status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"), body: answer)
        } catch {
            throw InferenceError(status: 503, message: "The model's runtime did not answer (\(error)); retry shortly.")
        }
    }
}
