/// Open Inference Protocol (V2) answers.
struct V2Tensor: Encodable, Sendable {
    let name: String
    let datatype: String
    let shape: [Int64]
    let data: [Double]?
    let integers: [Int64]?
    let booleans: [Bool]?

    init(name: String, tensor: Tensor) {
        self.name = name
        shape = tensor.shape
        switch tensor.elements {
        case .float32(let values): (datatype, data, integers, booleans) = ("FP32", values.map(Double.init), nil, nil)
        case .float64(let values): (datatype, data, integers, booleans) = ("FP64", values, nil, nil)
        case .int32(let values): (datatype, data, integers, booleans) = ("INT32", nil, values.map(Int64.init), nil)
        case .int64(let values): (datatype, data, integers, booleans) = ("INT64", nil, values, nil)
        case .bool(let values): (datatype, data, integers, booleans) = ("BOOL", nil, nil, values)
        }
    }

    enum CodingKeys: String, CodingKey { case name, datatype, shape, data }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(datatype, forKey: .datatype)
        try container.encode(shape, forKey: .shape)
        if let data { try container.encode(data, forKey: .data) }
        if let integers { try container.encode(integers, forKey: .data) }
        if let booleans { try container.encode(booleans, forKey: .data) }
    }
}

struct V2InferenceResponse: Encodable, Sendable {
    let model_name: String
    let model_version: String
    let id: String?
    let outputs: [V2Tensor]
}

struct V2MetadataTensor: Encodable, Sendable {
    let name: String
    let datatype: String
    let shape: [Int64]

    init(_ signature: TensorSignature) {
        name = signature.name
        datatype = signature.datatype
        shape = signature.shape
    }
}

struct V2ModelMetadata: Encodable, Sendable {
    let name: String
    let versions: [String]
    let platform: String
    let inputs: [V2MetadataTensor]
    let outputs: [V2MetadataTensor]
}

struct V2ServerMetadata: Encodable, Sendable {
    let name: String
    let version: String
    let extensions: [String]
}

struct V2Error: Encodable, Sendable {
    let error: String
}
