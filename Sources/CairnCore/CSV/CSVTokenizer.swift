import Foundation

/// The bytes of a CSV file, field by field: commas between fields, quoted fields (`"a, b"`,
/// `""` for a quote), `\n` or `\r\n` line ends. Fields are handed out as byte buffers, so a
/// reader can parse numbers without making Strings.
public enum CSVTokenizer {
    /// A number read straight from the field's bytes (no String in between), or nil.
    @inlinable
    public static func number(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        guard field.count < 64 else { return Double(String(decoding: field, as: UTF8.self)) }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 65) { buffer -> Double? in
            for index in 0..<field.count { buffer[index] = CChar(bitPattern: field[index]) }
            buffer[field.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &end)
            guard let end, end == buffer.baseAddress! + field.count, field.count > 0 else { return nil }
            // strtod also reads hex and "inf"/"nan" words; CSV numbers are decimal.
            guard field.allSatisfy({ $0 != UInt8(ascii: "x") && $0 != UInt8(ascii: "X") }) else { return nil }
            return value
        }
    }

    /// Calls `field` with each field of the line at `position` (its index and bytes, quotes
    /// removed), and moves `position` past the line's end.
    @inlinable
    public static func readLine(_ bytes: UnsafeBufferPointer<UInt8>, from position: inout Int, field: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        var index = 0
        var start = position
        var unquoted: [UInt8]?
        func emit(_ end: Int) throws {
            if let text = unquoted {
                try text.withUnsafeBufferPointer { try field(index, $0) }
            } else {
                try field(index, UnsafeBufferPointer(rebasing: bytes[start..<end]))
            }
            index += 1
            unquoted = nil
        }
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\""), position == start, unquoted == nil {
                // A quoted field: copy it out, "" standing for one quote.
                var text: [UInt8] = []
                position += 1
                while position < bytes.count {
                    if bytes[position] == UInt8(ascii: "\"") {
                        if position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "\"") {
                            text.append(UInt8(ascii: "\""))
                            position += 2
                            continue
                        }
                        position += 1
                        break
                    }
                    text.append(bytes[position])
                    position += 1
                }
                unquoted = text
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                try emit(position)
                position += 1
                start = position
            case UInt8(ascii: "\n"):
                let end = position > start && bytes[position - 1] == UInt8(ascii: "\r") ? position - 1 : position
                try emit(end)
                position += 1
                return
            default:
                position += 1
            }
        }
        let end = position > start && bytes[position - 1] == UInt8(ascii: "\r") ? position - 1 : position
        try emit(end)
    }
}
