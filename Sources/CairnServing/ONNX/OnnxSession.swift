import COnnxRuntime
import Foundation

/// One loaded ONNX model, created once and shared by every request (ONNX Runtime's `Run` is
/// thread-safe on a session). Inputs and outputs are read from the model.
public final class OnnxSession: @unchecked Sendable {
    // @unchecked: the session and name buffers are written only in init; ORT allows concurrent Run.
    let library: OnnxRuntimeLibrary
    let session: OpaquePointer
    public let inputs: [TensorSignature]
    public let outputs: [TensorSignature]
    private let outputNames: [UnsafeMutablePointer<CChar>]

    /// Loads `modelPath` with full graph optimisation and `threads` intra-op threads.
    public init(library: OnnxRuntimeLibrary, modelPath: String, threads: Int32 = 1) throws {
        self.library = library
        let api = library.api.pointee
        var options: OpaquePointer?
        try library.check(api.CreateSessionOptions(&options))
        defer { api.ReleaseSessionOptions(options) }
        try library.check(api.SetSessionGraphOptimizationLevel(options, CAIRN_ORT_ENABLE_ALL))
        try library.check(api.SetIntraOpNumThreads(options, threads))
        try library.check(api.SetInterOpNumThreads(options, 1))
        var session: OpaquePointer?
        try library.check(api.CreateSession(library.environment, modelPath, options, &session))
        guard let session else { throw OnnxError(message: "ONNX Runtime returned no session for \(modelPath)") }
        self.session = session
        do {
            inputs = try Self.signatures(library, session, input: true)
            outputs = try Self.signatures(library, session, input: false)
        } catch {
            api.ReleaseSession(session)
            throw error
        }
        outputNames = outputs.map { strdup($0.name)! }
    }

    deinit {
        library.api.pointee.ReleaseSession(session)
        outputNames.forEach { free($0) }
    }

    private static func signatures(_ library: OnnxRuntimeLibrary, _ session: OpaquePointer, input: Bool) throws -> [TensorSignature] {
        let api = library.api.pointee
        var count = 0
        try library.check(input ? api.SessionGetInputCount(session, &count) : api.SessionGetOutputCount(session, &count))
        var allocator: OpaquePointer?
        try library.check(api.GetAllocatorWithDefaultOptions(&allocator))
        var signatures: [TensorSignature] = []
        for index in 0..<count {
            var rawName: UnsafeMutablePointer<CChar>?
            try library.check(input ? api.SessionGetInputName(session, index, allocator, &rawName)
                                    : api.SessionGetOutputName(session, index, allocator, &rawName))
            let name = rawName.map { String(cString: $0) } ?? ""
            if let rawName { _ = api.AllocatorFree(allocator, rawName) }
            var typeInfo: OpaquePointer?
            try library.check(input ? api.SessionGetInputTypeInfo(session, index, &typeInfo) : api.SessionGetOutputTypeInfo(session, index, &typeInfo))
            defer { api.ReleaseTypeInfo(typeInfo) }
            var kind = CAIRN_ONNX_TYPE_TENSOR
            try library.check(api.GetOnnxTypeFromTypeInfo(typeInfo, &kind))
            guard kind == CAIRN_ONNX_TYPE_TENSOR else {
                // e.g. a ZipMap (sequence of maps): convert with zipmap=False.
                signatures.append(TensorSignature(name: name, datatype: "NON_TENSOR", shape: []))
                continue
            }
            var tensorInfo: OpaquePointer?
            try library.check(api.CastTypeInfoToTensorInfo(typeInfo, &tensorInfo))
            var elementType = CAIRN_TENSOR_UNDEFINED
            try library.check(api.GetTensorElementType(tensorInfo, &elementType))
            var rank = 0
            try library.check(api.GetDimensionsCount(tensorInfo, &rank))
            var shape = [Int64](repeating: 0, count: rank)
            try library.check(api.GetDimensions(tensorInfo, &shape, rank))
            signatures.append(TensorSignature(name: name, datatype: Self.datatype(elementType), shape: shape.map { $0 <= 0 ? -1 : $0 }))
        }
        return signatures
    }

    static func datatype(_ type: CairnTensorElementType) -> String {
        switch type {
        case CAIRN_TENSOR_FLOAT: "FP32"
        case CAIRN_TENSOR_DOUBLE: "FP64"
        case CAIRN_TENSOR_INT32: "INT32"
        case CAIRN_TENSOR_INT64: "INT64"
        case CAIRN_TENSOR_BOOL: "BOOL"
        case CAIRN_TENSOR_STRING: "BYTES"
        case CAIRN_TENSOR_UINT8: "UINT8"
        case CAIRN_TENSOR_INT8: "INT8"
        case CAIRN_TENSOR_FLOAT16: "FP16"
        default: "UNSUPPORTED"
        }
    }

    /// Runs the model on `feeds` (by input name) and returns every output by name.
    public func run(_ feeds: [String: Tensor]) throws -> [String: Tensor] {
        let api = library.api.pointee
        var values: [OpaquePointer?] = []
        var buffers: [UnsafeMutableRawBufferPointer] = []
        defer {
            values.forEach { api.ReleaseValue($0) }
            buffers.forEach { $0.deallocate() }
        }
        let names = inputs.map(\.name)
        for name in names {
            guard let tensor = feeds[name] else { throw OnnxError(message: "missing input '\(name)'") }
            let (buffer, type) = Self.copy(tensor.elements)
            buffers.append(buffer)
            var value: OpaquePointer?
            try tensor.shape.withUnsafeBufferPointer { shape in
                try library.check(api.CreateTensorWithDataAsOrtValue(library.cpuMemory, buffer.baseAddress, buffer.count, shape.baseAddress,
                                                                     shape.count, type, &value))
            }
            values.append(value)
        }
        var results = [OpaquePointer?](repeating: nil, count: outputs.count)
        defer { results.forEach { api.ReleaseValue($0) } }
        let inputNames = names.map { strdup($0) }
        defer { inputNames.forEach { free($0) } }
        try inputNames.map { UnsafePointer($0) }.withUnsafeBufferPointer { inputNamePointers in
            try outputNames.map { UnsafePointer($0) }.withUnsafeBufferPointer { outputNamePointers in
                try values.withUnsafeBufferPointer { inputValues in
                    try library.check(api.Run(session, nil, inputNamePointers.baseAddress, inputValues.baseAddress, values.count,
                                              outputNamePointers.baseAddress, outputs.count, &results))
                }
            }
        }
        var out: [String: Tensor] = [:]
        for (signature, value) in zip(outputs, results) {
            guard let value else { continue }
            out[signature.name] = try read(value)
        }
        return out
    }

    private static func copy(_ elements: Tensor.Elements) -> (UnsafeMutableRawBufferPointer, CairnTensorElementType) {
        func raw<T>(_ values: [T]) -> UnsafeMutableRawBufferPointer {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, values.count * MemoryLayout<T>.stride), alignment: 16)
            values.withUnsafeBytes { buffer.copyMemory(from: $0) }
            return UnsafeMutableRawBufferPointer(rebasing: buffer[0..<values.count * MemoryLayout<T>.stride])
        }
        switch elements {
        case .float32(let values): return (raw(values), CAIRN_TENSOR_FLOAT)
        case .float64(let values): return (raw(values), CAIRN_TENSOR_DOUBLE)
        case .int32(let values): return (raw(values), CAIRN_TENSOR_INT32)
        case .int64(let values): return (raw(values), CAIRN_TENSOR_INT64)
        case .bool(let values): return (raw(values), CAIRN_TENSOR_BOOL)
        }
    }

    private func read(_ value: OpaquePointer) throws -> Tensor {
        let api = library.api.pointee
        var info: OpaquePointer?
        try library.check(api.GetTensorTypeAndShape(value, &info))
        defer { api.ReleaseTensorTypeAndShapeInfo(info) }
        var type = CAIRN_TENSOR_UNDEFINED
        try library.check(api.GetTensorElementType(info, &type))
        var rank = 0
        try library.check(api.GetDimensionsCount(info, &rank))
        var shape = [Int64](repeating: 0, count: rank)
        try library.check(api.GetDimensions(info, &shape, rank))
        var count = 0
        try library.check(api.GetTensorShapeElementCount(info, &count))
        var data: UnsafeMutableRawPointer?
        try library.check(api.GetTensorMutableData(value, &data))
        guard let data else { return Tensor(shape: shape, elements: .float32([])) }
        func elements<T>(_: T.Type) -> [T] { Array(UnsafeBufferPointer(start: data.assumingMemoryBound(to: T.self), count: count)) }
        switch type {
        case CAIRN_TENSOR_FLOAT: return Tensor(shape: shape, elements: .float32(elements(Float.self)))
        case CAIRN_TENSOR_DOUBLE: return Tensor(shape: shape, elements: .float64(elements(Double.self)))
        case CAIRN_TENSOR_INT32: return Tensor(shape: shape, elements: .int32(elements(Int32.self)))
        case CAIRN_TENSOR_INT64: return Tensor(shape: shape, elements: .int64(elements(Int64.self)))
        case CAIRN_TENSOR_BOOL: return Tensor(shape: shape, elements: .bool(elements(Bool.self)))
        default: throw OnnxError(message: "output element type \(Self.datatype(type)) is not supported yet")
        }
    }
}
