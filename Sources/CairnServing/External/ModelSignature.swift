import CairnHTTP
import Foundation
import Yams

/// What an MLflow model takes and gives, read from the `signature` in its `MLmodel` file, as
/// Open Inference Protocol tensors: a column signature becomes one `[-1]` input per column (sent
/// to the model as a DataFrame), a tensor signature one input per tensor.
public struct ModelSignature: Sendable, Equatable {
    public enum Layout: Sendable, Equatable {
        /// Named columns of a DataFrame (`dataframe_split`).
        case columns
        /// Tensors (`inputs`): one unnamed tensor, or several by name.
        case tensors
    }

    public var layout: Layout
    public var inputs: [TensorSignature]
    public var outputs: [TensorSignature]

    /// The name an unnamed output (a model's plain list of predictions) is served under.
    public static let predictionsName = "predictions"
    /// The name of a tensor signature's single unnamed input.
    public static let unnamedInput = "input"

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// The signature in `MLmodel` (YAML), or nil when the model was logged without one.
    public init?(mlmodel: String) throws(Invalid) {
        let document: Node?
        do { document = try Yams.compose(yaml: mlmodel) } catch { throw Invalid(description: "MLmodel is not valid YAML: \(error)") }
        guard let signature = document?.mapping?["signature"], let inputs = signature.mapping?["inputs"]?.string else { return nil }
        let inputSpecs = try Self.specs(inputs, "inputs")
        layout = inputSpecs.contains { $0.type == "tensor" } ? .tensors : .columns
        self.inputs = try inputSpecs.enumerated().map { (index, spec) throws(Invalid) in
            try spec.signature(defaultName: inputSpecs.count == 1 ? Self.unnamedInput : "input-\(index)")
        }
        let outputSpecs = try signature.mapping?["outputs"]?.string.map { (text) throws(Invalid) in try Self.specs(text, "outputs") } ?? []
        outputs = try outputSpecs.enumerated().map { (index, spec) throws(Invalid) in
            try spec.signature(defaultName: outputSpecs.count == 1 ? Self.predictionsName : "output-\(index)")
        }
    }

    /// One entry of a signature's JSON list: `{"type": "double", "name": "f0"}` or
    /// `{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}`.
    struct Spec: Decodable {
        let type: String
        let name: String?
        let tensorSpec: TensorSpec?

        struct TensorSpec: Decodable {
            let dtype: String
            let shape: [Int64]
        }

        enum CodingKeys: String, CodingKey {
            case type, name
            case tensorSpec = "tensor-spec"
        }

        func signature(defaultName: String) throws(Invalid) -> TensorSignature {
            if type == "tensor" {
                guard let tensorSpec else { throw Invalid(description: "A tensor in the signature has no tensor-spec.") }
                return TensorSignature(name: name ?? defaultName, datatype: ModelSignature.datatype(numpy: tensorSpec.dtype), shape: tensorSpec.shape)
            }
            return TensorSignature(name: name ?? defaultName, datatype: ModelSignature.datatype(column: type), shape: [-1])
        }
    }

    static func specs(_ json: String, _ field: String) throws(Invalid) -> [Spec] {
        do { return try JSONDecoder().decode([Spec].self, from: Data(json.utf8)) } catch {
            throw Invalid(description: "The signature's \(field) are not a list of column or tensor specs: \(error)")
        }
    }

    /// MLflow column types as V2 datatypes.
    static func datatype(column: String) -> String {
        switch column {
        case "double": "FP64"
        case "float": "FP32"
        case "long": "INT64"
        case "integer": "INT32"
        case "boolean": "BOOL"
        case "string", "binary": "BYTES"
        default: "UNSUPPORTED"
        }
    }

    /// numpy dtypes as V2 datatypes.
    static func datatype(numpy: String) -> String {
        switch numpy {
        case "float32": "FP32"
        case "float64": "FP64"
        case "int64": "INT64"
        case "int32": "INT32"
        case "bool": "BOOL"
        case "str", "object", "bytes": "BYTES"
        default: "UNSUPPORTED"
        }
    }
}
