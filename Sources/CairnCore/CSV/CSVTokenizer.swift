import Foundation

/// The bytes of a CSV file, field by field: commas between fields, quoted fields (`"a, b"`,
/// `""` for a quote), `\n` or `\r\n` line ends. Fields are handed out as byte buffers, so a
/// reader can parse numbers without making Strings.
public enum CSVTokenizer {
    /// A number read straight from the field's bytes (no String in between), or nil.
    @inlinable
    public static func number(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        if let value = plainDecimal(field) { return value }
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

    /// A plain decimal (`-12.375`: no exponent, at most 15 digits after the point and a mantissa
    /// under 2^53) read exactly as `strtod` would, without it: the mantissa and the power of ten
    /// are both exact doubles, so one division rounds correctly (Clinger's fast path). Nil for
    /// anything else, which `number` hands to `strtod`.
    @inlinable
    public static func plainDecimal(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        var index = 0
        var negative = false
        if index < field.count, field[index] == UInt8(ascii: "-") || field[index] == UInt8(ascii: "+") {
            negative = field[index] == UInt8(ascii: "-")
            index += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0, fractionDigits = 0
        var sawPoint = false
        while index < field.count {
            let byte = field[index]
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                guard digits < 18 else { return nil }
                mantissa = mantissa * 10 + UInt64(byte - UInt8(ascii: "0"))
                digits += 1
                if sawPoint { fractionDigits += 1 }
            } else if byte == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else {
                return nil
            }
            index += 1
        }
        guard digits > 0, mantissa < 1 << 53, fractionDigits <= 15 else { return nil }
        var scale = 1.0
        for _ in 0..<fractionDigits { scale *= 10 }  // exact up to 10^22
        let value = Double(mantissa) / scale
        return negative ? -value : value
    }

    /// The first non-blank line's fields (a header), moving `position` past it; empty when the
    /// bytes hold no such line.
    public static func header(_ bytes: UnsafeBufferPointer<UInt8>, from position: inout Int) -> [String] {
        while position < bytes.count {
            var names: [String] = []
            readLine(bytes, from: &position) { _, field in names.append(String(decoding: field, as: UTF8.self)) }
            if names != [""] { return names }
        }
        return []
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
