import CairnHTTP

/// Rows of features (as the MLflow scoring protocol and KServe V1 send them) turned into the
/// model's input tensors: a model with one `[-1, N]` input takes each row as N values in column
/// order; a model with one input per column (`[-1]` or `[-1, 1]` each) takes the columns by name,
/// or, in rows without names, in its input order.
enum TabularInput {
    /// `rows` with their column names when the request has them (dataframe_split, records, CSV header).
    static func feeds(rows: [[JSONValue]], columns: [String]?, model: any InferenceModel) throws(InferenceError) -> [String: Tensor] {
        guard !rows.isEmpty else { throw .badInput("No rows to predict.") }
        if model.inputs.count == 1, let input = model.inputs.first, input.shape.count == 2 {
            let width = input.shape[1]
            for (index, row) in rows.enumerated() where width >= 0 && row.count != Int(width) {
                throw .badInput("Row \(index) has \(row.count) values; the model takes \(width) features per row.")
            }
            return [input.name: try tensor(rows.flatMap { $0 }, shape: [Int64(rows.count), Int64(rows[0].count)], signature: input)]
        }
        // Rows without names, as wide as the model has inputs: the values are in the model's input order.
        let columns = columns ?? (rows.allSatisfy { $0.count == model.inputs.count } ? model.inputs.map(\.name) : nil)
        guard let columns else {
            throw .badInput("The model takes named inputs (\(model.inputs.map(\.name).joined(separator: ", "))): send column names (dataframe_split or dataframe_records).")
        }
        var feeds: [String: Tensor] = [:]
        for input in model.inputs {
            guard let column = columns.firstIndex(of: input.name) else { throw .badInput("Missing column '\(input.name)'.") }
            let values = try rows.enumerated().map { (index, row) throws(InferenceError) -> JSONValue in
                guard column < row.count else { throw .badInput("Row \(index) has no value for '\(input.name)'.") }
                return row[column]
            }
            feeds[input.name] = try tensor(values, shape: input.shape.count == 2 ? [Int64(rows.count), 1] : [Int64(rows.count)], signature: input)
        }
        if let unknown = columns.first(where: { name in !model.inputs.contains { $0.name == name } }) {
            throw .badInput("Unknown column '\(unknown)'; the model takes: \(model.inputs.map(\.name).joined(separator: ", ")).")
        }
        return feeds
    }

    private static func tensor(_ values: [JSONValue], shape: [Int64], signature: TensorSignature) throws(InferenceError) -> Tensor {
        let request: JSONValue = .object(["inputs": .array([.object([
            "name": .string(signature.name), "datatype": .string(signature.datatype),
            "shape": .array(shape.map { .int($0) }), "data": .array(values),
        ])])])
        return try V2InferenceRequest(json: request, model: SingleInput(signature: signature)).feeds[signature.name]!
    }

    /// Predictions as MLflow returns a DataFrame of outputs: one record per row, or plain values
    /// when the model has a single output.
    static func predictions(_ outputs: [String: Tensor], order: [String]) -> JSONValue {
        let rows = order.compactMap { outputs[$0] }.first.map { Int($0.shape.first ?? 1) } ?? 0
        func cell(_ tensor: Tensor, row: Int) -> JSONValue {
            let values = tensor.elements.doubles
            let width = rows > 0 ? values.count / rows : 0
            let slice = values[row * width..<(row + 1) * width].map { value -> JSONValue in
                if case .int64 = tensor.elements { return .int(Int64(value)) }
                if case .int32 = tensor.elements { return .int(Int64(value)) }
                if case .bool = tensor.elements { return .bool(value != 0) }
                return .double(value)
            }
            return width == 1 ? slice[0] : .array(Array(slice))
        }
        let present = order.filter { outputs[$0] != nil }
        if present.count == 1, let only = outputs[present[0]] {
            return .array((0..<rows).map { cell(only, row: $0) })
        }
        return .array((0..<rows).map { row in .object(Dictionary(uniqueKeysWithValues: present.map { ($0, cell(outputs[$0]!, row: row)) })) })
    }

    /// A stand-in model with one input: a single tensor checked by the V2 rules, or the target of
    /// `inputs: {name: rows}`.
    struct SingleInput: InferenceModel {
        let signature: TensorSignature
        var name: String { "" }
        var version: String { "" }
        var platform: String { "" }
        var inputs: [TensorSignature] { [signature] }
        var outputs: [TensorSignature] { [] }
        func predict(_ feeds: [String: Tensor]) async throws -> [String: Tensor] { [:] }
    }
}
