import Foundation
import Testing
@testable import CairnHTTP

@Suite("Strict JSON parser")
struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test("Values of every type, nested")
    func values() throws {
        let value = try parse(#" {"s": "x", "i": -12, "d": 1.5e3, "b": true, "f": false, "n": null, "a": [1, {"k": []}], "o": {}} "#)
        #expect(value == .object([
            "s": .string("x"), "i": .int(-12), "d": .double(1500), "b": .bool(true), "f": .bool(false), "n": .null,
            "a": .array([.int(1), .object(["k": .array([])])]), "o": .object([:]),
        ]))
    }

    @Test("Integers stay integers, fractions and huge numbers become doubles")
    func numbers() throws {
        #expect(try parse("1700000000000") == .int(1_700_000_000_000))
        #expect(try parse("0.25") == .double(0.25))
        #expect(try parse("-0") == .int(0))
        #expect(try parse("123456789012345678901234567890") == .double(1.2345678901234568e29))
    }

    @Test("Every number reads exactly as Swift's own parser (strtod) reads it: shortest, 17- to 40-digit, exponents, extremes")
    func numbersMatchTheStandardLibrary() throws {
        var generator = SystemRandomNumberGenerator()
        var texts = ["0.1", "-0.0", "1e22", "1e23", "9007199254740993", "9223372036854775807", "-9223372036854775808",
                     "9223372036854775808", "2.2250738585072014e-308", "4.9e-324", "1.7976931348623157e308", "1e400", "0.000001",
                     "123456789012345.6", "1234567890123456.7", "0.10000000149011612", "-3.4028234663852886e38",
                     // Halfway between two Doubles, and just either side of halfway.
                     "9007199254740993.0", "9007199254740993.1", "9007199254740992.9", "4503599627370497.5", "4503599627370497.501",
                     "4503599627370497.499", "9007199254740993e1", "90071992547409931e-1", "1.00000000000000011102230246251565404e0",
                     "1.0000000000000001110", "1.0000000000000001111", "1.0000000000000001110e3", "0.30000000000000004440",
                     // A hair above halfway, where only the remainder says "round up".
                     "7363203552012.826661", "48786647.166329626", "0.007650532542312440", "7764.900958773404"]
        for _ in 0..<5_000 {
            let value = Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF) * (Bool.random() ? 1 : -1)
            texts.append("\(value)")
            texts.append("\(Double(generator.next() % 1_000_000) / 1000)")
            texts.append("\(Double(Float.random(in: -10...10)))")
            let magnitude = Double.random(in: 1..<10) * pow(10, Double(Int.random(in: -25...25)))
            texts.append("\(magnitude)")
            texts.append(String(format: "%.17g", magnitude))
            texts.append(String(format: "%.19f", Double.random(in: 0..<1)))
            texts.append("\(UInt64.random(in: 0...UInt64.max)).\(UInt64.random(in: 0...UInt64.max))e-\(Int.random(in: 0...40))")
        }
        for text in texts {
            let parsed = try parse(text)
            switch parsed {
            case .int(let integer): #expect(Int64(text) == integer, "\(text)")
            case .double(let double): #expect(double.bitPattern == Double(text)?.bitPattern, "\(text) read as \(double)")
            default: Issue.record("\(text) read as \(parsed)")
            }
        }
    }

    @Test("Escapes and non-ASCII text decode")
    func strings() throws {
        #expect(try parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\n\té😀"))
        #expect(try parse(#""größe ✓""#) == .string("größe ✓"))
    }

    @Test("Invalid documents are refused", arguments: [
        "", "{", #"{"a": 1,}"#, "[1, 2,]", #"{"a" 1}"#, "{a: 1}", "01", "1.", "-", "tru", #""abc"#, #""\x""#,
        #""\ud83d""#, "[1] [2]", "NaN", "'single'", "\"tab\tinside\"",
    ])
    func refuses(text: String) {
        #expect(throws: JSONParser.SyntaxError.self) { try parse(text) }
    }

    @Test("Deep nesting is bounded instead of overflowing the stack")
    func depth() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParser.SyntaxError.self) { try parse(deep) }
    }
}
