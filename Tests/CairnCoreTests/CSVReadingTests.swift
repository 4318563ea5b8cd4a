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
        var texts = ["0", "-0", "5.", ".5", "+7.25", "9007199254740991", "0.1", "123456789012.345", "-0.000001", "3.141592653589793"]
        for _ in 0..<20_000 {
            let digits = Int.random(in: 1...17, using: &generator)
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
