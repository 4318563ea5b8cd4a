#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file's bytes mapped into memory read-only: a CSV of hundreds of megabytes is read without
/// copying it into the heap (`Data(contentsOf:)` reads it on Linux, even with `.mappedIfSafe`).
public final class MappedFile: @unchecked Sendable {
    private let base: UnsafeMutableRawPointer?
    public let count: Int

    /// Maps `path`; throws a message naming the file when it cannot be opened or mapped.
    public init(path: String) throws(CairnError) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw .invalidParameter("Cannot read \(path): \(String(cString: strerror(errno))).") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .invalidParameter("Cannot read \(path): \(String(cString: strerror(errno))).") }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .invalidParameter("Cannot read \(path): not a regular file.") }
        count = Int(status.st_size)
        guard count > 0 else {
            base = nil
            return
        }
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_POPULATE  // fault the pages in at once, not one by one while parsing
        #else
        let flags = MAP_PRIVATE
        #endif
        let mapped = mmap(nil, count, PROT_READ, flags, descriptor, 0)
        guard let mapped, mapped != MAP_FAILED else { throw .invalidParameter("Cannot map \(path): \(String(cString: strerror(errno))).") }
        base = mapped
    }

    deinit {
        if let base { munmap(base, count) }
    }

    /// The bytes, valid only inside `body`.
    public func withBytes<Result, Failure: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Result) throws(Failure) -> Result {
        guard let base else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: count))
    }
}
