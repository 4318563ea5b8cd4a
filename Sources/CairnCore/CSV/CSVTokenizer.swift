import Foundation

/// The bytes of a CSV file, field by field: commas between fields, quoted fields (`"a, b"`,
/// `""` for a quote), `\n` or `\r\n` line ends. Fields are handed out as byte buffers, so a
/// reader can parse numbers without making Strings.
public enum CSVTokenizer {
    /// A number read straight from the field's bytes (no String in between), or nil.
    @inlinable
    public static func number(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        if let value = plainDecimal(field) { return value }
        // strtod reads only a sign, digit or point (or "inf", "nan") after blanks: any other
        // field is not a number, known without the call (categories like "c2" are many).
        guard let first = field.first(where: { $0 != UInt8(ascii: " ") && !(0x09...0x0D).contains($0) }),
              (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) || first == UInt8(ascii: "-") || first == UInt8(ascii: "+")
                || first == UInt8(ascii: ".") || first | 0x20 == UInt8(ascii: "i") || first | 0x20 == UInt8(ascii: "n") else { return nil }
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

    /// A plain decimal (`-12.375`: no exponent, at most 19 significant digits and at most 19
    /// after the point) read exactly as
    /// `strtod` would, without it: Clinger's fast path (the mantissa and the power of ten are both
    /// exact doubles, so one division rounds correctly) when the mantissa is under 2^53, else
    /// `ExactDecimal`'s integer arithmetic. Digits are read eight at a time where they can be.
    /// Nil for anything else, which `number` hands to `strtod`.
    @inlinable
    public static func plainDecimal(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        guard let base = field.baseAddress, let (value, end) = scanDecimal(base, from: 0, to: field.count), end == field.count else { return nil }
        return value
    }

    /// The plain decimal of a field that starts at `position` (see `plainDecimal`), read in one
    /// pass with the field's end found on the way: `position` moves to the delimiter after it (a
    /// comma, a line end, or the end of `bytes`). Nil, with `position` unchanged, for a field that
    /// is anything else (text, quotes, an exponent, more digits), which `readField` then reads.
    @inlinable
    public static func decimalField(_ bytes: UnsafeBufferPointer<UInt8>, at position: inout Int) -> Double? {
        guard let base = bytes.baseAddress, let (value, end) = scanDecimal(base, from: position, to: bytes.count) else { return nil }
        guard end == bytes.count || base[end] == UInt8(ascii: ",") || base[end] == UInt8(ascii: "\n")
            || (base[end] == UInt8(ascii: "\r") && end + 1 < bytes.count && base[end + 1] == UInt8(ascii: "\n")) else { return nil }
        position = end
        return value
    }

    /// Reads a plain decimal from `start`, stopping at the first byte that cannot continue it;
    /// the value and where it stopped, or nil when what was read is not one.
    @inlinable
    static func scanDecimal(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> (Double, Int)? {
        guard start < end else { return nil }
        var index = start
        let negative = base[index] == UInt8(ascii: "-")
        if negative || base[index] == UInt8(ascii: "+") { index += 1 }
        // Leading zeros, and a point among them, add nothing to the mantissa.
        var sawPoint = false, sawDigit = false, fractionDigits = 0
        while index < end {
            if base[index] == UInt8(ascii: "0") {
                sawDigit = true
                if sawPoint { fractionDigits += 1 }
            } else if base[index] == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else {
                break
            }
            index += 1
        }
        // The digits before the point (if it was not among the zeros), then those after it.
        var mantissa: UInt64 = 0, significantDigits = 0
        while true {
            guard let run = digits(base, &index, end, &mantissa, &significantDigits) else { return nil }
            if sawPoint { fractionDigits += run }
            guard !sawPoint, index < end, base[index] == UInt8(ascii: ".") else { break }
            sawPoint = true
            index += 1
        }
        guard sawDigit || significantDigits > 0 else { return nil }
        let value: Double
        if mantissa < 1 << 53, let scale = ExactDecimal.powerOfTen(fractionDigits) {
            value = Double(mantissa) / Double(scale)  // both exact: one rounding
        } else {
            guard let exact = ExactDecimal.double(significand: mantissa, exponent: -fractionDigits) else { return nil }
            value = exact
        }
        return (negative ? -value : value, index)
    }

    /// Reads the run of digits at `index` into `mantissa`, up to eight at a time while eight bytes
    /// are there to look at; returns how many it read, or nil past 19 significant digits (which a
    /// UInt64 may not hold).
    @inlinable @inline(__always)
    static func digits(_ base: UnsafePointer<UInt8>, _ index: inout Int, _ end: Int, _ mantissa: inout UInt64, _ significant: inout Int) -> Int? {
        let start = index
        while end - index >= 8 {
            let chunk = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            // A byte is a digit when its high nibble is 3 and adding 6 keeps it so; the digits
            // before the first byte that is not one are read at once.
            let notDigits = ((chunk & 0xF0F0_F0F0_F0F0_F0F0) ^ 0x3030_3030_3030_3030)
                | (((chunk &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) ^ 0x3030_3030_3030_3030)
            let count = notDigits == 0 ? 8 : notDigits.trailingZeroBitCount >> 3
            guard count > 0 else { return index - start }
            guard significant + count <= 19 else { return nil }
            // The digits moved to the end of the word, after "0"s, read as the same number.
            let aligned = count == 8 ? chunk : (chunk << UInt64(64 - 8 * count)) | (0x3030_3030_3030_3030 >> UInt64(8 * count))
            var value = aligned &- 0x3030_3030_3030_3030
            value = value &* 10 &+ (value >> 8)  // pairs of digits
            value = (((value & 0x0000_00FF_0000_00FF) &* 0x000F_4240_0000_0064) &+ (((value >> 16) & 0x0000_00FF_0000_00FF) &* 0x0000_2710_0000_0001)) >> 32
            mantissa = mantissa &* ExactDecimal.powerOfTen(count)! &+ (value & 0xFFFF_FFFF)
            significant += count
            index += count
            if count < 8 { return index - start }
        }
        while index < end, base[index] &- UInt8(ascii: "0") < 10 {
            guard significant < 19 else { return nil }
            mantissa = mantissa &* 10 &+ UInt64(base[index] &- UInt8(ascii: "0"))
            significant += 1
            index += 1
        }
        return index - start
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
        while true {
            try readField(bytes, from: &position) { try field(index, $0) }
            index += 1
            guard skipDelimiter(bytes, at: &position) else { return }
        }
    }

    /// Moves `position` past the delimiter a field ended at; true when it was a comma (another
    /// field follows on the line), false at a line end (`\n` or `\r\n`) or the end of `bytes`.
    @inlinable
    public static func skipDelimiter(_ bytes: UnsafeBufferPointer<UInt8>, at position: inout Int) -> Bool {
        guard position < bytes.count else { return false }
        switch bytes[position] {
        case UInt8(ascii: ","):
            position += 1
            return true
        case UInt8(ascii: "\r"):
            // `readField` stops at a `\r` only where `\r\n` ends the line.
            position += position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "\n") ? 2 : 1
            return false
        default:
            position += 1
            return false
        }
    }

    /// Calls `body` with the field at `position` (quotes removed: `"a, b"`, `""` for a quote; bytes
    /// after a closing quote are ignored), and moves `position` to the delimiter after it: a comma,
    /// the line end (at its `\r` for `\r\n`), or the end of `bytes`.
    @inlinable
    public static func readField(_ bytes: UnsafeBufferPointer<UInt8>, from position: inout Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        let start = position
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
            while position < bytes.count, bytes[position] != UInt8(ascii: ","), bytes[position] != UInt8(ascii: "\n") { position += 1 }
            // A `\r` before the line end (or at the end of the bytes) belongs to the line end.
            if position > start, bytes[position - 1] == UInt8(ascii: "\r"), position == bytes.count || bytes[position] == UInt8(ascii: "\n") { position -= 1 }
            try body(UnsafeBufferPointer(rebasing: bytes[start..<position]))
            if position < bytes.count, bytes[position] == UInt8(ascii: "\r"), position + 1 == bytes.count { position += 1 }
            return
        }
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
        let closed = position
        while position < bytes.count, bytes[position] != UInt8(ascii: ","), bytes[position] != UInt8(ascii: "\n") { position += 1 }
        if position > closed, position < bytes.count, bytes[position] == UInt8(ascii: "\n"), bytes[position - 1] == UInt8(ascii: "\r") { position -= 1 }
        try text.withUnsafeBufferPointer { try body($0) }
    }
}
