import Dispatch
import Foundation

extension Array {
    /// `(0..<count).map(transform)`, computed in one contiguous slice per core. For CPU-bound
    /// work over many rows; `transform` must be safe to call from several threads at once.
    public static func parallelMap(count: Int, _ transform: @Sendable (Int) -> Element) -> [Element] where Element: Sendable {
        let workers = Swift.min(ProcessInfo.processInfo.activeProcessorCount, Swift.max(1, count / 10_000))
        guard workers > 1 else { return (0..<count).map(transform) }
        return [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            nonisolated(unsafe) let shared = buffer
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let range = (count * worker / workers)..<(count * (worker + 1) / workers)
                for index in range { (shared.baseAddress! + index).initialize(to: transform(index)) }
            }
            initialized = count
        }
    }
}
