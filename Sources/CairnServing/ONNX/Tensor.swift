/// A dense tensor: element type, shape, and the elements in row-major order.
public struct Tensor: Sendable, Equatable {
    public enum Elements: Sendable, Equatable {
        case float32([Float])
        case float64([Double])
        case int32([Int32])
        case int64([Int64])
        case bool([Bool])

        public var count: Int {
            switch self {
            case .float32(let values): values.count
            case .float64(let values): values.count
            case .int32(let values): values.count
            case .int64(let values): values.count
            case .bool(let values): values.count
            }
        }

        /// Every element as a Double, for comparisons and JSON.
        public var doubles: [Double] {
            switch self {
            case .float32(let values): values.map(Double.init)
            case .float64(let values): values
            case .int32(let values): values.map(Double.init)
            case .int64(let values): values.map(Double.init)
            case .bool(let values): values.map { $0 ? 1 : 0 }
            }
        }
    }

    public var shape: [Int64]
    public var elements: Elements

    public init(shape: [Int64], elements: Elements) {
        self.shape = shape
        self.elements = elements
    }
}

/// What a model's input or output is: name, element type (the ONNX/V2 datatype name), and shape
/// with -1 for dimensions the model leaves open (usually the batch).
public struct TensorSignature: Sendable, Equatable {
    public var name: String
    /// `FP32`, `FP64`, `INT32`, `INT64`, `BOOL`, `BYTES`, … (Open Inference Protocol names).
    public var datatype: String
    public var shape: [Int64]

    public init(name: String, datatype: String, shape: [Int64]) {
        self.name = name
        self.datatype = datatype
        self.shape = shape
    }
}
