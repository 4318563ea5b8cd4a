#if canImport(Glibc)
import Glibc
#endif
import CairnCore

/// A strict RFC 8259 JSON parser producing `JSONValue` straight from bytes. Every request body goes
/// through it, and Foundation's parsers cost several times more here (JSONDecoder must try each
/// enum case in turn; JSONSerialization bridges through NSArray/NSDictionary). It also refuses
/// what Foundation tolerates and JSON does not, such as trailing commas.
struct JSONParser {
    struct SyntaxError: Error, CustomStringConvertible {
        let message: String
        let offset: Int
        var description: String { "\(message) at byte \(offset)" }
    }

    /// The document followed by a NUL, so that `strtod` always stops inside the buffer.
    private let bytes: [UInt8]
    /// The document's length (without the NUL).
    private let count: Int
    private var index = 0
    private var depth = 0
    private static let maxDepth = 512

    static func parse(_ bytes: some Collection<UInt8>) throws -> JSONValue {
        var parser = JSONParser(bytes: Array(bytes))
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == parser.count else { throw parser.error("Unexpected data after the JSON value") }
        return value
    }

    private init(bytes: [UInt8]) {
        count = bytes.count
        self.bytes = bytes + [0]
    }

    private func error(_ message: String) -> SyntaxError { SyntaxError(message: message, offset: index) }

    private mutating func skipWhitespace() {
        while index < count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
    }

    private mutating func parseValue() throws -> JSONValue {
        guard index < count else { throw error("Unexpected end of data") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("Unexpected character '\(Character(Unicode.Scalar(bytes[index])))'")
        }
    }

    private mutating func expect(_ literal: StaticString) throws {
        let length = literal.utf8CodeUnitCount
        guard index + length <= count,
              literal.withUTF8Buffer({ Array($0) == Array(bytes[index..<index + length]) })
        else { throw error("Invalid literal") }
        index += length
    }

    private mutating func enter() throws {
        depth += 1
        if depth > Self.maxDepth { throw error("Too deeply nested") }
    }

    private mutating func parseObject() throws -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var object: [String: JSONValue] = [:]
        skipWhitespace()
        if index < count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard index < count, bytes[index] == UInt8(ascii: "\"") else { throw error("Expected a quoted key") }
            let key = try parseString()
            skipWhitespace()
            guard index < count, bytes[index] == UInt8(ascii: ":") else { throw error("Expected ':'") }
            index += 1
            skipWhitespace()
            object[key] = try parseValue()
            skipWhitespace()
            guard index < count else { throw error("Unterminated object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(object) }
            throw error("Expected ',' or '}'")
        }
    }

    private mutating func parseArray() throws -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var array: [JSONValue] = []
        skipWhitespace()
        if index < count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(array)
        }
        while true {
            skipWhitespace()
            array.append(try parseValue())
            skipWhitespace()
            guard index < count else { throw error("Unterminated array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(array) }
            throw error("Expected ',' or ']'")
        }
    }

    private mutating func parseString() throws -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") {
            guard bytes[index] >= 0x20 else { throw error("Control character in string") }
            index += 1
        }
        guard index < count else { throw error("Unterminated string") }
        if bytes[index] == UInt8(ascii: "\"") {
            defer { index += 1 }
            return try validUTF8(bytes[start..<index])
        }
        var scalars = Array(bytes[start..<index])
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return try validUTF8(scalars[...])
            }
            guard byte >= 0x20 else { throw error("Control character in string") }
            if byte != UInt8(ascii: "\\") {
                scalars.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < count else { break }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
            case UInt8(ascii: "b"): scalars.append(0x08)
            case UInt8(ascii: "f"): scalars.append(0x0C)
            case UInt8(ascii: "n"): scalars.append(0x0A)
            case UInt8(ascii: "r"): scalars.append(0x0D)
            case UInt8(ascii: "t"): scalars.append(0x09)
            case UInt8(ascii: "u"):
                var code = try parseHex4()
                if (0xD800..<0xDC00).contains(code) {
                    guard index + 1 < count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw error("Unpaired surrogate")
                    }
                    index += 2
                    let low = try parseHex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("Invalid surrogate pair") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw error("Invalid unicode escape") }
                scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw error("Invalid escape")
            }
        }
        throw error("Unterminated string")
    }

    private mutating func parseHex4() throws -> UInt32 {
        guard index + 4 <= count else { throw error("Invalid unicode escape") }
        var value: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            guard let digit = Self.hexValue(byte) else { throw error("Invalid unicode escape") }
            value = value << 4 | digit
        }
        index += 4
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private func validUTF8(_ slice: ArraySlice<UInt8>) throws -> String {
        guard let string = String(validating: slice, as: UTF8.self) else { throw error("Invalid UTF-8 in string") }
        return string
    }

    /// Validates a number by JSON's grammar while reading its digits. Integers that fit Int64 and
    /// decimals of up to 19 significant digits with a small exponent are converted here, exactly
    /// (`ExactDecimal`); anything else goes to `strtod`.
    private mutating func parseNumber() throws -> JSONValue {
        let start = index
        let scanned = bytes.withUnsafeBufferPointer { Self.scanNumber($0, from: start, count: count) }
        guard let number = scanned else {
            index = start
            throw error("Invalid number")
        }
        index = number.end
        if number.isInteger, number.exact {
            let significand = number.significand
            if !number.negative, significand <= UInt64(Int64.max) { return .int(Int64(significand)) }
            if number.negative, significand <= UInt64(Int64.max) { return .int(-Int64(significand)) }
            if number.negative, significand == UInt64(Int64.max) + 1 { return .int(.min) }
        }
        if number.exact, let value = ExactDecimal.double(significand: number.significand, exponent: number.exponent) {
            return .double(number.negative ? -value : value)
        }
        let value = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { strtod($0 + start, nil) }
        }
        return .double(value)
    }

    /// A number's parts as read by `scanNumber`.
    private struct ScannedNumber {
        var end = 0
        var negative = false
        var isInteger = true
        /// The first 19 significant digits, and the power of ten that scales them.
        var significand: UInt64 = 0
        var exponent = 0
        /// False when digits were dropped (more than 19): only `strtod` can read it then.
        var exact = true
    }

    /// Reads a number by JSON's grammar from `start` (nil if it breaks the grammar), keeping up
    /// to 19 significant digits. Works on a buffer pointer: this loop runs for every digit.
    private static func scanNumber(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, count: Int) -> ScannedNumber? {
        var number = ScannedNumber()
        var index = start
        var digits = 0
        @inline(__always) func digit(at position: Int) -> UInt8? {
            guard position < count else { return nil }
            let value = bytes[position] &- UInt8(ascii: "0")
            return value < 10 ? value : nil
        }
        if bytes[index] == UInt8(ascii: "-") {
            number.negative = true
            index += 1
        }
        guard let first = digit(at: index) else { return nil }
        if first == 0 {
            index += 1
        } else {
            while let value = digit(at: index) {
                if digits < 19 {
                    number.significand = number.significand &* 10 &+ UInt64(value)
                    digits += 1
                } else {
                    number.exponent += 1  // a dropped integer digit still counts as a power of ten
                    number.exact = false
                }
                index += 1
            }
        }
        if index < count, bytes[index] == UInt8(ascii: ".") {
            number.isInteger = false
            index += 1
            guard digit(at: index) != nil else { return nil }
            while let value = digit(at: index) {
                if number.significand == 0, value == 0 {
                    number.exponent -= 1  // a leading zero of the fraction
                } else if digits < 19 {
                    number.significand = number.significand &* 10 &+ UInt64(value)
                    digits += 1
                    number.exponent -= 1
                } else {
                    number.exact = false
                }
                index += 1
            }
        }
        if index < count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            number.isInteger = false
            index += 1
            var negativeExponent = false
            if index < count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                negativeExponent = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard digit(at: index) != nil else { return nil }
            var written = 0
            while let value = digit(at: index) {
                if written < 100_000 { written = written * 10 + Int(value) }
                index += 1
            }
            number.exponent += negativeExponent ? -written : written
        }
        number.end = index
        return number
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
