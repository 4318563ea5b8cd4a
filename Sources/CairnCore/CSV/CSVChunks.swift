import Dispatch
import Foundation
import Synchronization

/// Splits the body of a CSV file into line-aligned byte ranges that can be read on several
/// cores at once, and reads them so.
public enum CSVChunks {
    /// Up to `count` ranges covering `bytes[start...]`, each ending just after a line end. A file
    /// with a quote anywhere in its body is one range: a quoted field may hold a line end, and
    /// only a reader walking from the start knows whether a given one is inside quotes.
    public static func split(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, into count: Int) -> [Range<Int>] {
        let total = bytes.count - start
        guard count > 1, total > 1 << 20, memchr(bytes.baseAddress! + start, Int32(UInt8(ascii: "\"")), total) == nil else { return [start..<bytes.count] }
        var ranges: [Range<Int>] = []
        var lower = start
        for part in 1..<count {
            var upper = max(lower, start + total / count * part)
            while upper < bytes.count, bytes[upper] != UInt8(ascii: "\n") { upper += 1 }
            upper = min(upper + 1, bytes.count)
            if upper > lower { ranges.append(lower..<upper) }
            lower = upper
        }
        if lower < bytes.count { ranges.append(lower..<bytes.count) }
        return ranges
    }

    /// The line (from 1) that the byte at `offset` is on.
    public static func lineNumber(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        bytes[..<offset].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
    }

    /// Reads each range with `read` on its own core, and returns the results in file order.
    public static func read<Part: Sendable>(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int,
                                            _ read: @Sendable (UnsafeBufferPointer<UInt8>, Range<Int>) throws -> Part) throws -> [Part] {
        let ranges = split(bytes, from: start, into: ProcessInfo.processInfo.activeProcessorCount)
        guard ranges.count > 1 else { return [try read(bytes, ranges[0])] }
        let results = ResultSlots<Part>(count: ranges.count)
        nonisolated(unsafe) let shared = bytes
        DispatchQueue.concurrentPerform(iterations: ranges.count) { index in
            results.set(index, Result { try read(shared, ranges[index]) })
        }
        return try results.values().map { try $0.get() }
    }
}

extension CSVChunks {
    /// A line a part's reader refuses: where the line starts in the file, and why (without the
    /// file or line, which `readBody` adds).
    public struct LineFailure: Error, Sendable {
        public let offset: Int
        public let reason: String

        public init(offset: Int, reason: String) {
            self.offset = offset
            self.reason = reason
        }
    }

    /// Reads the body of a CSV file after its header (which ends at `start`) in parts, as `read`
    /// does; a part's `LineFailure` becomes "<source>, line N: <reason>." with N counted from the
    /// start of the file, and a `CairnError` passes through.
    public static func readBody<Part: Sendable>(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, source: String,
                                                _ read: @Sendable (UnsafeBufferPointer<UInt8>, Range<Int>) throws -> Part) throws(CairnError) -> [Part] {
        do {
            return try self.read(bytes, from: start, read)
        } catch let failure as LineFailure {
            throw .invalidParameter("\(source), line \(lineNumber(at: failure.offset, in: bytes)): \(failure.reason).")
        } catch let error as CairnError {
            throw error
        } catch {
            throw .internalError("Reading \(source): \(error)")
        }
    }

    /// Whether the line at `position` is blank (`\n` or `\r\n`); if so, moves `position` past it.
    public static func skipBlankLine(_ bytes: UnsafeBufferPointer<UInt8>, at position: inout Int, end: Int) -> Bool {
        if bytes[position] == UInt8(ascii: "\n") {
            position += 1
            return true
        }
        if bytes[position] == UInt8(ascii: "\r"), position + 1 < end, bytes[position + 1] == UInt8(ascii: "\n") {
            position += 2
            return true
        }
        return false
    }
}

/// One result per parallel task, each written once, from different threads.
final class ResultSlots<Value: Sendable>: Sendable {
    private let slots: Mutex<[Result<Value, any Error>?]>

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    func set(_ index: Int, _ value: Result<Value, any Error>) { slots.withLock { $0[index] = value } }

    func values() -> [Result<Value, any Error>] { slots.withLock { $0.map { $0! } } }
}
