/// JSON bytes written in order, with MLflow's conventions for numbers: NaN and infinities as the
/// strings "NaN", "Infinity" and "-Infinity", doubles in the shortest form that reads back exactly.
/// `StreamingJSONEncoder` writes through it, and so do answers that write their JSON by hand
/// (`JSONBodyWriting`).
public final class JSONWriter {
    public internal(set) var bytes: [UInt8] = []

    public init(capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    /// Text that is already JSON (punctuation, literals, keys that need no escaping).
    public func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    public func append(byte: UInt8) { bytes.append(byte) }

    public func writeInt(_ value: Int64) { append(String(value)) }

    public func writeBool(_ value: Bool) { append(value ? "true" : "false") }

    public func writeDouble(_ value: Double) {
        if value.isNaN { append("\"NaN\"") }
        else if value == .infinity { append("\"Infinity\"") }
        else if value == -.infinity { append("\"-Infinity\"") }
        else { append(value.description) }
    }

    /// `[a,b,…]`, each element written by `writeElement`.
    public func writeArray<Element>(_ values: some Sequence<Element>, _ writeElement: (Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            writeElement(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// A quoted string, escaped where JSON needs it.
    public func writeString(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        let utf8 = string.utf8
        if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            bytes.append(contentsOf: utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
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
        bytes.append(UInt8(ascii: "\""))
    }
}
