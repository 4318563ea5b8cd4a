import CairnHTTP
import Foundation
import Hummingbird

/// MLflow's scoring protocol (`/invocations` with `dataframe_split`, `dataframe_records`,
/// `instances` or `inputs`, as JSON or CSV; `/ping`, `/health`, `/version`) and KServe V1
/// (`/v1/models/<name>`, `:predict`), over the same model as the V2 routes.
public struct ScoringRoutes<Context: RequestContext>: Sendable {
    let model: any InferenceModel
    let state: ReplicaState
    /// What `/version` reports: the MLflow release whose scoring protocol this follows.
    static var mlflowVersion: String { "3.17.2" }

    public init(model: any InferenceModel, state: ReplicaState) {
        self.model = model
        self.state = state
    }

    public func register(on router: Router<Context>) {
        for path in ["/ping", "/health"] {
            router.get(RouterPath(stringLiteral: path)) { _, _ in
                Response(status: state.isReady ? .ok : .notFound, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "\n")))
            }
        }
        router.get("/version") { _, _ in Self.mlflowVersion }
        router.post("/invocations") { request, _ in
            do {
                guard state.isReady else { throw InferenceError(status: 503, message: "The model is still loading.") }
                let body = try await request.body.collect(upTo: ReplicaState.maxBodyBytes)
                let contentType = request.headers[.contentType] ?? "application/json"
                if let forwarder = model as? any ScoringForwarder {
                    let answer = try await forwarder.invocations(body: body, contentType: contentType)
                    return Response(status: HTTPResponse.Status(code: answer.status), headers: [.contentType: answer.contentType ?? "application/json"],
                                    body: .init(byteBuffer: answer.body))
                }
                let media = contentType.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased()
                if let parameter = contentType.split(separator: ";").dropFirst().first?.trimmingCharacters(in: .whitespaces).lowercased(),
                   parameter != "charset=utf-8" {
                    return Self.unsupported("Unsupported content type parameter '\(parameter)'; only charset=utf-8.")
                }
                let feeds: [String: Tensor]
                switch media {
                case "application/json": feeds = try Self.jsonFeeds(body, model: model)
                case "text/csv": feeds = try Self.csvFeeds(String(buffer: body), model: model)
                default: return Self.unsupported("Unsupported content type '\(media)'; send application/json or text/csv.")
                }
                let outputs = try await predict(feeds)
                return try json(["predictions": TabularInput.predictions(outputs, order: model.outputs.map(\.name))])
            } catch let error as InferenceError {
                return try mlflowError(error)
            } catch let error as HTTPError where error.status == .contentTooLarge {
                return try mlflowError(InferenceError(status: 413, message: "The body is larger than \(ReplicaState.maxBodyBytes >> 20) MiB."))
            }
        }
        router.get("/v1/models/{name}") { _, context in
            guard try context.pathParameter("name") == model.name else {
                return try json(["error": JSONValue.string("Model with name \(try context.pathParameter("name")) does not exist.")], status: .notFound)
            }
            return try json(["name": .string(model.name), "ready": .bool(state.isReady)], status: state.isReady ? .ok : .serviceUnavailable)
        }
        // `/v1/models/<name>:predict`: the colon is part of the one path segment.
        router.post("/v1/models/{name}") { request, context in
            do {
                let target = try context.pathParameter("name")
                guard target == "\(model.name):predict" else { throw InferenceError.notFound("Model with name \(target.split(separator: ":")[0]) does not exist.") }
                guard state.isReady else { throw InferenceError(status: 503, message: "Model \(model.name) is not ready.") }
                let body = try await request.body.collect(upTo: ReplicaState.maxBodyBytes)
                guard case .object(let fields) = try Self.parse(body), let instances = fields["inputs"] ?? fields["instances"] else {
                    throw InferenceError.badInput("Expected \"instances\" (or \"inputs\") in the body.")
                }
                guard case .array(let list) = instances else { throw InferenceError.badInput("Expected \"instances\" to be a list.") }
                let outputs = try await predict(try TabularInput.feeds(rows: try Self.rows(list), columns: nil, model: model))
                // KServe's sklearn server returns predict(): the first output (labels, or values).
                let first = model.outputs.first.map(\.name) ?? ""
                return try json(["predictions": TabularInput.predictions(outputs.filter { $0.key == first }, order: [first])])
            } catch let error as InferenceError {
                return try json(["error": JSONValue.string(error.message)], status: HTTPResponse.Status(code: error.status))
            }
        }
    }

    private func predict(_ feeds: [String: Tensor]) async throws(InferenceError) -> [String: Tensor] {
        do { return try await model.predict(feeds) } catch let error as InferenceError { throw error } catch {
            throw InferenceError.badInput("Encountered an unexpected error while evaluating the model: \(error)")
        }
    }

    static func parse(_ body: ByteBuffer) throws(InferenceError) -> JSONValue {
        do { return try JSONValue.parse(body.readableBytesView) } catch { throw .badInput("The body is not valid JSON: \(error)") }
    }

    /// The JSON formats MLflow's scoring server takes: an object with exactly one of
    /// `dataframe_split`, `dataframe_records`, `instances`, `inputs` (plus optional `params`).
    static func jsonFeeds(_ body: ByteBuffer, model: any InferenceModel) throws(InferenceError) -> [String: Tensor] {
        let json = try parse(body)
        if case .array = json { throw .badInput("Received a list; send an object with one of dataframe_split, dataframe_records, instances, inputs.") }
        guard case .object(let fields) = json else { throw .badInput("The body must be a JSON object.") }
        let formats = ["dataframe_split", "dataframe_records", "instances", "inputs"].filter { fields[$0] != nil }
        guard formats.count == 1, let format = formats.first, let payload = fields[format] else {
            throw .badInput("The body must have exactly one of dataframe_split, dataframe_records, instances, inputs (found: \(formats.isEmpty ? "none" : formats.joined(separator: ", "))).")
        }
        switch format {
        case "dataframe_split":
            guard case .object(let split) = payload, case .array(let data)? = split["data"] else {
                throw .badInput("dataframe_split needs {\"columns\": [...], \"data\": [[...]]}.")
            }
            var columns: [String]?
            if case .array(let names)? = split["columns"] { columns = names.compactMap { if case .string(let name) = $0 { name } else { nil } } }
            return try TabularInput.feeds(rows: try rows(data), columns: columns, model: model)
        case "dataframe_records":
            guard case .array(let records) = payload else { throw .badInput("dataframe_records must be a list of objects.") }
            // Records carry names only: they map onto inputs named after columns.
            let columns = model.inputs.map(\.name)
            let rows = try records.enumerated().map { (index, record) throws(InferenceError) -> [JSONValue] in
                guard case .object(let values) = record else { throw .badInput("dataframe_records[\(index)] is not an object.") }
                if model.inputs.count == 1, values.count > 1 {
                    throw .badInput("This model takes one tensor '\(columns[0])' of features; records do not say the feature order. Send dataframe_split or instances.")
                }
                return try columns.map { (name) throws(InferenceError) -> JSONValue in
                    guard let value = values[name] else { throw .badInput("dataframe_records[\(index)] has no '\(name)'.") }
                    return value
                }
            }
            return try TabularInput.feeds(rows: rows, columns: columns, model: model)
        default:
            if case .object(let named) = payload {  // {"input": [[...]]}: tensors by name
                var feeds: [String: Tensor] = [:]
                for (name, value) in named {
                    guard case .array(let list) = value else { throw .badInput("inputs['\(name)'] must be a list.") }
                    guard let signature = model.inputs.first(where: { $0.name == name }) else { throw .badInput("Unknown input '\(name)'.") }
                    feeds.merge(try TabularInput.feeds(rows: try rows(list), columns: nil, model: TabularInput.SingleInput(signature: signature))) { $1 }
                }
                return feeds
            }
            guard case .array(let list) = payload else { throw .badInput("\(format) must be a list of rows or an object of tensors.") }
            return try TabularInput.feeds(rows: try rows(list), columns: nil, model: model)
        }
    }

    /// A list of rows (lists) or of single values (one feature per row).
    static func rows(_ list: [JSONValue]) throws(InferenceError) -> [[JSONValue]] {
        try list.enumerated().map { (index, row) throws(InferenceError) -> [JSONValue] in
            switch row {
            case .array(let values): return values
            case .object: throw .badInput("Row \(index) is an object; send rows as lists of values.")
            default: return [row]
            }
        }
    }

    /// `text/csv`: a header row when the first line is not all numbers, then one row per line.
    static func csvFeeds(_ text: String, model: any InferenceModel) throws(InferenceError) -> [String: Tensor] {
        var lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
        guard !lines.isEmpty else { throw .badInput("The CSV body is empty.") }
        var columns: [String]?
        if lines[0].contains(where: { Double($0) == nil }) { columns = lines.removeFirst() }
        let rows = try lines.enumerated().map { (index, cells) throws(InferenceError) -> [JSONValue] in
            try cells.map { (cell) throws(InferenceError) -> JSONValue in
                if let int = Int64(cell) { return .int(int) }
                guard let number = Double(cell) else { throw .badInput("CSV line \(index + 1) has a non-number '\(cell)'.") }
                return .double(number)
            }
        }
        return try TabularInput.feeds(rows: rows, columns: columns, model: model)
    }

    private func json(_ value: [String: JSONValue], status: HTTPResponse.Status = .ok) throws -> Response {
        try JSONResponse.make(value, status: status)
    }

    /// MLflow's error body: `{"error_code", "message"}`.
    private func mlflowError(_ error: InferenceError) throws -> Response {
        let code = switch error.status {
        case 404: "RESOURCE_DOES_NOT_EXIST"
        case 503: "TEMPORARILY_UNAVAILABLE"
        case 500: "INTERNAL_ERROR"
        default: "BAD_REQUEST"
        }
        return try json(["error_code": .string(code), "message": .string(error.message)], status: HTTPResponse.Status(code: error.status))
    }

    private static func unsupported(_ message: String) -> Response {
        Response(status: .unsupportedMediaType, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: message)))
    }
}
