/// JSON bytes written in order, with MLflow's conventions for numbers: NaN and infinities as the
/// strings "NaN", "Infinity" and "-Infinity", doubles in the shortest form that reads back exactly.
/// `StreamingJSONEncoder` writes through it, and so do answers that write their JSON by hand
/// (`JSONBodyWriting`). A value type with inlinable methods: a hand-written answer of a few
/// hundred values calls it a thousand times, and each call on a shared reference paid for an
/// exclusivity check and an opaque cross-module call.
public struct JSONWriter {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    /// Text that is already JSON (punctuation, literals, keys that need no escaping).
    @inlinable public mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    @inlinable public mutating func append(byte: UInt8) { bytes.append(byte) }

    @inlinable public mutating func writeInt(_ value: Int64) { append(String(value)) }

    @inlinable public mutating func writeBool(_ value: Bool) { append(value ? "true" : "false") }

    @inlinable public mutating func writeDouble(_ value: Double) {
        if value.isNaN { append("\"NaN\"") }
        else if value == .infinity { append("\"Infinity\"") }
        else if value == -.infinity { append("\"-Infinity\"") }
        else { append(value.description) }
    }

    /// `[a,b,…]`, each element written by `writeElement`.
    @inlinable public mutating func writeArray<Element>(_ values: [Element], _ writeElement: (inout JSONWriter, Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for index in values.indices {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            writeElement(&self, values[index])
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// A quoted string, escaped where JSON needs it.
    @inlinable public mutating func writeString(_ string: String) {
        var string = string
        string.withUTF8 { writeString(utf8: $0) }  // native strings: no copy; the scan runs over plain memory
    }

    @inlinable public mutating func writeString(utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var plain = true
        for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            plain = false
            break
        }
        if plain {
            bytes.append(contentsOf: utf8)
        } else {
            writeEscaped(utf8)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    @usableFromInline mutating func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0..<0x20:
                let hex = String(byte, radix: 16)
                append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: bytes.append(byte)
            }
        }
    }
}
