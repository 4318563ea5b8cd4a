import CairnCore
import Foundation
import Testing

@Suite("CSV numbers and parts read on several cores")
struct CSVReadingTests {
    func number(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBufferPointer { CSVTokenizer.number($0) }
    }

    @Test("Plain decimals read without strtod are bit for bit what strtod reads")
    func plainDecimalsMatchStrtod() {
        var generator = SystemRandomNumberGenerator()
        var texts = ["0", "-0", "5.", ".5", "+7.25", "9007199254740991", "0.1", "123456789012.345", "-0.000001", "3.141592653589793",
                     "0.0012301533574825742", "-5.403824047069114", "9999999999999999999", "0.00000000000000000012345678901234567"]
        for _ in 0..<20_000 {
            // Up to 19 digits: Python writes floats with 17 significant digits, often after zeros.
            let digits = Int.random(in: 1...21, using: &generator)
            var text = String((0..<digits).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
            text.insert(".", at: text.index(text.startIndex, offsetBy: Int.random(in: 0...digits, using: &generator)))
            texts.append(Bool.random(using: &generator) ? "-" + text : text)
        }
        for text in texts {
            let expected = strtod(text, nil)
            let read = number(text)
            #expect(read?.bitPattern == expected.bitPattern, "\(text): \(String(describing: read)) vs strtod's \(expected)")
        }
        #expect(number("1e3") == 1000 && number("-") == nil && number(".") == nil && number("1.2.3") == nil && number("0x10") == nil && number("") == nil)
    }

    @Test("Lines split into fields: quotes, doubled quotes, CRLF, a lone CR inside a field, empty fields, a last line without its end")
    func fields() {
        func lines(_ text: String) -> [[String]] {
            Array(text.utf8).withUnsafeBufferPointer { bytes in
                var position = 0, lines: [[String]] = []
                while position < bytes.count {
                    var fields: [String] = []
                    CSVTokenizer.readLine(bytes, from: &position) { _, field in fields.append(String(decoding: field, as: UTF8.self)) }
                    lines.append(fields)
                }
                return lines
            }
        }
        #expect(lines("a,\"b, c\",\"say \"\"hi\"\"\"\r\n,,\n\"q\"\r\nx\ry,z\r") == [["a", "b, c", "say \"hi\""], ["", "", ""], ["q"], ["x\ry", "z"]])
        #expect(lines("1.5,-2\n3") == [["1.5", "-2"], ["3"]])
        // Bytes after a closing quote are dropped, a CR among them too, and the comma still ends the field.
        #expect(lines("\"a\"\r,b\n\"c\"x\r\n") == [["a", "b"], ["c"]])
        // Plain decimals read in place stop at the delimiter; anything else is left for readField.
        Array("0.0012301533574825742,1e3,7\r\n".utf8).withUnsafeBufferPointer { bytes in
            var position = 0
            #expect(CSVTokenizer.decimalField(bytes, at: &position) == 0.0012301533574825742 && position == 21)
            #expect(CSVTokenizer.skipDelimiter(bytes, at: &position))
            #expect(CSVTokenizer.decimalField(bytes, at: &position) == nil && position == 22)
            position = 26
            #expect(CSVTokenizer.decimalField(bytes, at: &position) == 7 && position == 27)
            #expect(!CSVTokenizer.skipDelimiter(bytes, at: &position) && position == bytes.count)
        }
    }

    @Test("A large file splits at line ends into parts read in file order; a quote anywhere keeps it whole")
    func parts() throws {
        let lines = (0..<100_000).map { "\($0),value \($0)\n" }
        let text = "id,name\n" + lines.joined()
        let ids = try Array(text.utf8).withUnsafeBufferPointer { bytes in
            let body = "id,name\n".utf8.count
            #expect(CSVChunks.split(bytes, from: body, into: 2).count == 2)
            let parts = try CSVChunks.read(bytes, from: body) { bytes, range in
                String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self).split(separator: "\n").map { Int($0.split(separator: ",")[0])! }
            }
            return parts.flatMap { $0 }
        }
        #expect(ids == Array(0..<100_000))
        let quoted = Array((text + "7,\"a\nb\"\n").utf8)
        quoted.withUnsafeBufferPointer { bytes in #expect(CSVChunks.split(bytes, from: 8, into: 2) == [8..<bytes.count]) }
    }
}
