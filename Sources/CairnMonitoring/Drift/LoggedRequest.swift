import CairnHTTP

/// The feature rows and predictions in a logged request and its answer, in any of the protocols
/// the gateway serves: the Open Inference Protocol (the first input tensor, one row per element
/// of its first dimension), MLflow's `dataframe_split`, `dataframe_records`, `inputs` and
/// `instances`, and KServe V1 `instances`. Rows are keyed by column name when the body names its
/// columns, else by position.
public struct LoggedRequest: Sendable {
    public enum Columns: Sendable, Equatable {
        case named([String])
        case positional
    }

    public var columns: Columns
    public var rows: [[ReferenceDataset.Value]]
    /// One per row, when the answer has a single prediction per row.
    public var predictions: [ReferenceDataset.Value]?

    public init?(inputs: String, outputs: String) {
        guard case .object(let body)? = try? JSONValue.parse(Array(inputs.utf8)) else { return nil }
        if case .array(let tensors)? = body["inputs"], case .object(let first)? = tensors.first, case .array(let data)? = first["data"] {
            let values = Self.flatten(data)
            var count = values.count
            if case .array(let shape)? = first["shape"], case .int(let rowsInShape)? = shape.first { count = Int(rowsInShape) }
            guard count > 0, values.count % count == 0 else { return nil }
            let width = values.count / count
            columns = .positional
            rows = (0..<count).map { row in values[(row * width)..<((row + 1) * width)].map(Self.value) }
        } else if case .object(let split)? = body["dataframe_split"], case .array(let names)? = split["columns"], case .array(let data)? = split["data"] {
            columns = .named(names.map(Self.label))
            rows = data.map { row in
                guard case .array(let values) = row else { return [Self.value(row)] }
                return values.map(Self.value)
            }
        } else if case .array(let records)? = body["dataframe_records"], case .object(let firstRecord)? = records.first {
            let names = firstRecord.keys.sorted()
            columns = .named(names)
            rows = records.map { record in
                guard case .object(let fields) = record else { return names.map { _ in .text("") } }
                return names.map { Self.value(fields[$0] ?? .null) }
            }
        } else if case .array(let list)? = body["inputs"] ?? body["instances"] {
            columns = .positional
            rows = list.map { item in
                guard case .array(let values) = item else { return [Self.value(item)] }
                return values.map(Self.value)
            }
        } else {
            return nil
        }
        predictions = Self.predictions(outputs, rows: rows.count)
    }

    static func predictions(_ outputs: String, rows: Int) -> [ReferenceDataset.Value]? {
        guard case .object(let answer)? = try? JSONValue.parse(Array(outputs.utf8)) else { return nil }
        var values: [JSONValue]?
        if case .array(let tensors)? = answer["outputs"] {
            let objects = tensors.compactMap { tensor -> [String: JSONValue]? in
                if case .object(let fields) = tensor { return fields }
                return nil
            }
            let chosen = objects.first { $0["name"] == .string("label") } ?? objects.first
            if case .array(let data)? = chosen?["data"] { values = flatten(data) }
        } else if case .array(let list)? = answer["predictions"] {
            values = list.map { item in
                guard case .object(let fields) = item else { return item }
                return fields["label"] ?? fields.values.first ?? .null
            }
        }
        guard let values, values.count == rows else { return nil }
        return values.map(value)
    }

    static func flatten(_ data: [JSONValue]) -> [JSONValue] {
        data.flatMap { item -> [JSONValue] in
            if case .array(let inner) = item { return flatten(inner) }
            return [item]
        }
    }

    static func value(_ item: JSONValue) -> ReferenceDataset.Value {
        switch item {
        case .int(let number): .number(Double(number))
        case .double(let number): .number(number)
        default: .text(label(item))
        }
    }

    static func label(_ item: JSONValue) -> String {
        switch item {
        case .string(let text): text
        case .bool(let flag): String(flag)
        case .null: ""
        case .int(let number): String(number)
        case .double(let number): String(number)
        default: "\(item)"
        }
    }
}
