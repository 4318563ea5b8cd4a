import CairnHTTP

/// An Open Inference Protocol (V2) inference request, checked against the model: every input is
/// known, given once, of the model's datatype, with a shape that fits the model's and as many
/// elements as the shape says. Nested (`[[1,2],[3,4]]`) and flat data are both accepted.
public struct V2InferenceRequest: Sendable {
    public var id: String?
    public var feeds: [String: Tensor]
    /// Outputs asked for; nil for all.
    public var requestedOutputs: [String]?

    public static let maxElements = 50_000_000

    public init(json: JSONValue, model: any InferenceModel) throws(InferenceError) {
        guard case .object(let body) = json else { throw .badInput("The request body must be a JSON object.") }
        if let id = body["id"] {
            guard case .string(let text) = id else { throw .badInput("'id' must be a string.") }
            self.id = text
        }
        guard case .array(let inputs)? = body["inputs"], !inputs.isEmpty else {
            throw .badInput("'inputs' must be a non-empty list of tensors.")
        }
        var feeds: [String: Tensor] = [:]
        for (index, input) in inputs.enumerated() {
            guard case .object(let tensor) = input else { throw .badInput("inputs[\(index)] must be an object.") }
            guard case .string(let name)? = tensor["name"] else { throw .badInput("inputs[\(index)] needs a 'name'.") }
            guard let signature = model.inputs.first(where: { $0.name == name }) else {
                throw .badInput("Unknown input '\(name)'; the model takes: \(model.inputs.map(\.name).joined(separator: ", ")).")
            }
            guard feeds[name] == nil else { throw .badInput("Input '\(name)' is given twice.") }
            feeds[name] = try Self.tensor(tensor, name: name, signature: signature)
        }
        if let missing = model.inputs.first(where: { feeds[$0.name] == nil }) {
            throw .badInput("Missing input '\(missing.name)' (\(missing.datatype), shape \(missing.shape)).")
        }
        self.feeds = feeds
        if let outputs = body["outputs"] {
            guard case .array(let list) = outputs else { throw .badInput("'outputs' must be a list.") }
            var names: [String] = []
            for item in list {
                guard case .object(let output) = item, case .string(let name)? = output["name"] else {
                    throw .badInput("Each requested output needs a 'name'.")
                }
                guard model.outputs.contains(where: { $0.name == name }) else {
                    throw .badInput("Unknown output '\(name)'; the model gives: \(model.outputs.map(\.name).joined(separator: ", ")).")
                }
                names.append(name)
            }
            requestedOutputs = names
        }
    }

    private static func tensor(_ tensor: [String: JSONValue], name: String, signature: TensorSignature) throws(InferenceError) -> Tensor {
        guard case .string(let datatype)? = tensor["datatype"] else { throw .badInput("Input '\(name)' needs a 'datatype'.") }
        guard datatype == signature.datatype else {
            throw .badInput("Input '\(name)' has datatype \(datatype); the model takes \(signature.datatype).")
        }
        guard case .array(let shapeValues)? = tensor["shape"] else { throw .badInput("Input '\(name)' needs a 'shape' list.") }
        var shape: [Int64] = []
        for value in shapeValues {
            guard case .int(let dimension) = value, dimension >= 0 else {
                throw .badInput("Input '\(name)': shape dimensions must be non-negative integers.")
            }
            shape.append(dimension)
        }
        guard shape.count == signature.shape.count, zip(shape, signature.shape).allSatisfy({ $1 < 0 || $0 == $1 }) else {
            throw .badInput("Input '\(name)' has shape \(shape); the model takes \(signature.shape) (-1: any size).")
        }
        let (count, overflow) = shape.reduce((Int64(1), false)) { partial, dimension in
            let (product, over) = partial.0.multipliedReportingOverflow(by: dimension)
            return (product, partial.1 || over)
        }
        guard !overflow, count <= maxElements else { throw .badInput("Input '\(name)' is too large (at most \(maxElements) elements).") }
        guard let data = tensor["data"] else { throw .badInput("Input '\(name)' needs 'data'.") }
        var flat: [JSONValue] = []
        flat.reserveCapacity(Int(count))
        try flatten(data, into: &flat, name: name, depth: 0)
        guard flat.count == Int(count) else {
            throw .badInput("Input '\(name)' has \(flat.count) elements; shape \(shape) needs \(count).")
        }
        return Tensor(shape: shape, elements: try elements(flat, datatype: datatype, name: name))
    }

    private static func flatten(_ value: JSONValue, into flat: inout [JSONValue], name: String, depth: Int) throws(InferenceError) {
        guard depth <= 32 else { throw .badInput("Input '\(name)': data nested too deeply.") }
        if case .array(let items) = value {
            for item in items { try flatten(item, into: &flat, name: name, depth: depth + 1) }
        } else {
            flat.append(value)
        }
    }

    static func elements(_ values: [JSONValue], datatype: String, name: String) throws(InferenceError) -> Tensor.Elements {
        func number(_ value: JSONValue) throws(InferenceError) -> Double {
            switch value {
            case .int(let int): return Double(int)
            case .double(let double): return double
            default: throw .badInput("Input '\(name)' (\(datatype)) holds a non-number: \(value).")
            }
        }
        func integer(_ value: JSONValue) throws(InferenceError) -> Int64 {
            guard case .int(let int) = value else { throw .badInput("Input '\(name)' (\(datatype)) holds a non-integer: \(value).") }
            return int
        }
        switch datatype {
        case "FP32":
            var out: [Float] = []
            out.reserveCapacity(values.count)
            for value in values { out.append(Float(try number(value))) }
            return .float32(out)
        case "FP64":
            var out: [Double] = []
            out.reserveCapacity(values.count)
            for value in values { out.append(try number(value)) }
            return .float64(out)
        case "INT64":
            var out: [Int64] = []
            out.reserveCapacity(values.count)
            for value in values { out.append(try integer(value)) }
            return .int64(out)
        case "INT32":
            var out: [Int32] = []
            out.reserveCapacity(values.count)
            for value in values {
                guard let narrow = Int32(exactly: try integer(value)) else { throw .badInput("Input '\(name)' (INT32) holds an out-of-range value.") }
                out.append(narrow)
            }
            return .int32(out)
        case "BOOL":
            var out: [Bool] = []
            for value in values {
                guard case .bool(let bool) = value else { throw .badInput("Input '\(name)' (BOOL) holds a non-boolean.") }
                out.append(bool)
            }
            return .bool(out)
        default:
            throw .badInput("Input '\(name)' has datatype \(datatype), which this server does not take yet.")
        }
    }
}
