#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CairnCore
import Synchronization

/// Ids for requests that arrive without one: time-ordered (version 7) UUIDs — the millisecond
/// they were made, then 74 random bits, so they are unguessable (the feedback endpoint joins
/// labels to predictions by them) and the prediction log's key index grows at its end instead of
/// taking every new id at a random page. The random bytes come from the kernel
/// 4 KiB at a time (three system calls per 256 ids) rather than with a system call per request,
/// as Foundation's `UUID()` does.
enum RequestIDs {
    private static let pool = Mutex(RandomBytes())

    private struct RandomBytes {
        var bytes = [UInt8](repeating: 0, count: 4096)
        var used = 4096

        mutating func take16() -> (UInt64, UInt64) {
            if used + 16 > bytes.count {
                bytes.withUnsafeMutableBytes(RandomBytes.fill)
                used = 0
            }
            defer { used += 16 }
            return bytes.withUnsafeBytes { ($0.loadUnaligned(fromByteOffset: used, as: UInt64.self), $0.loadUnaligned(fromByteOffset: used + 8, as: UInt64.self)) }
        }

        /// The kernel's random bytes, from `/dev/urandom` (never blocks once the system has booted).
        static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
            let source = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
            precondition(source >= 0, "cannot open /dev/urandom: errno \(errno)")
            defer { close(source) }
            var filled = 0
            while filled < buffer.count {
                let got = read(source, buffer.baseAddress! + filled, buffer.count - filled)
                if got > 0 { filled += got } else { precondition(got < 0 && errno == EINTR, "cannot read /dev/urandom: errno \(errno)") }
            }
        }
    }

    static func next() -> String {
        let (random, low) = pool.withLock { $0.take16() }
        let milliseconds = UInt64(Clock.nowMillis())
        return text(high: (milliseconds << 16) | 0x7000 | (random & 0x0FFF), low: (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000)
    }

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in lowercase hex.
    static func text(high: UInt64, low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 36) { bytes in
            let digits: StaticString = "0123456789abcdef"
            var position = 0
            func put(_ value: UInt64, nibbles: Int) {
                for shift in stride(from: (nibbles - 1) * 4, through: 0, by: -4) {
                    bytes[position] = digits.utf8Start[Int((value >> UInt64(shift)) & 0xF)]
                    position += 1
                }
            }
            func dash() {
                bytes[position] = UInt8(ascii: "-")
                position += 1
            }
            put(high >> 32, nibbles: 8); dash()
            put(high >> 16, nibbles: 4); dash()
            put(high, nibbles: 4); dash()
            put(low >> 48, nibbles: 4); dash()
            put(low, nibbles: 12)
            return position
        }
    }
}
