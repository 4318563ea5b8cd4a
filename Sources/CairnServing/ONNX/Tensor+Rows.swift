/// Row (first-dimension) operations, for batching: requests joined into one tensor, and the
/// answer cut back into each request's rows.
extension Tensor {
    /// Rows along the first dimension (1 for a scalar).
    public var rowCount: Int { shape.first.map(Int.init) ?? 1 }

    /// Elements per row.
    var rowWidth: Int { shape.dropFirst().reduce(1) { $0 * Int($1) } }

    /// `tensors` stacked along the first dimension, or nil when they differ in element type or in
    /// any dimension but the first.
    public static func concatenate(_ tensors: [Tensor]) -> Tensor? {
        guard let first = tensors.first, !first.shape.isEmpty else { return nil }
        let trailing = first.shape.dropFirst()
        guard tensors.allSatisfy({ $0.shape.count == first.shape.count && $0.shape.dropFirst() == trailing }) else { return nil }
        let rows = tensors.reduce(Int64(0)) { $0 + ($1.shape.first ?? 0) }
        let shape = [rows] + trailing
        func join<T>(_ extract: (Elements) -> [T]?, _ wrap: ([T]) -> Elements) -> Tensor? {
            var joined: [T] = []
            for tensor in tensors {
                guard let values = extract(tensor.elements) else { return nil }
                joined.append(contentsOf: values)
            }
            return Tensor(shape: shape, elements: wrap(joined))
        }
        switch first.elements {
        case .float32: return join({ if case .float32(let v) = $0 { v } else { nil } }, Elements.float32)
        case .float64: return join({ if case .float64(let v) = $0 { v } else { nil } }, Elements.float64)
        case .int32: return join({ if case .int32(let v) = $0 { v } else { nil } }, Elements.int32)
        case .int64: return join({ if case .int64(let v) = $0 { v } else { nil } }, Elements.int64)
        case .bool: return join({ if case .bool(let v) = $0 { v } else { nil } }, Elements.bool)
        }
    }

    /// Rows `range` of this tensor, keeping the other dimensions.
    public func rows(_ range: Range<Int>) -> Tensor {
        let width = rowWidth
        let elements = range.lowerBound * width..<range.upperBound * width
        var shape = self.shape
        if !shape.isEmpty { shape[0] = Int64(range.count) }
        switch self.elements {
        case .float32(let values): return Tensor(shape: shape, elements: .float32(Array(values[elements])))
        case .float64(let values): return Tensor(shape: shape, elements: .float64(Array(values[elements])))
        case .int32(let values): return Tensor(shape: shape, elements: .int32(Array(values[elements])))
        case .int64(let values): return Tensor(shape: shape, elements: .int64(Array(values[elements])))
        case .bool(let values): return Tensor(shape: shape, elements: .bool(Array(values[elements])))
        }
    }
}
