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
