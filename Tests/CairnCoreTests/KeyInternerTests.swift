import CairnCore
import Testing

@Suite("Interned keys: one number per distinct key, in order of first appearance")
struct KeyInternerTests {
    @Test("200,000 keys of every length from 0 to 24 bytes, through the table's growth, each numbered once and found again")
    func manyKeys() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ab\u{0}\u{7F}xyz0123456789".utf8)
        var expected: [String: Int32] = [:]
        var order: [String] = []
        var interner = KeyInterner()
        for _ in 0..<200_000 {
            let length = Int.random(in: 0...24, using: &generator)
            let key = String(decoding: (0..<length).map { _ in alphabet.randomElement(using: &generator)! }, as: UTF8.self)
            let id = interner.id(key)
            if let known = expected[key] {
                #expect(id == known)
            } else {
                #expect(id == Int32(order.count))
                expected[key] = id
                order.append(key)
            }
        }
        #expect(interner.names == order)
        for (key, id) in expected { #expect(interner.find(key) == id) }
        #expect(interner.find("not a key of the table at all") == nil)
    }

    @Test("Keys that differ only by trailing zero bytes or by length are different keys")
    func zerosAndLengths() {
        var interner = KeyInterner()
        let keys = ["", "\u{0}", "a", "a\u{0}", "a\u{0}\u{0}", "12345678", "12345678\u{0}", "123456789", "1234567890123456", "12345678901234567"]
        let ids = keys.map { interner.id($0) }
        #expect(ids == (0..<Int32(keys.count)).map { $0 })
        #expect(keys.map { interner.find($0) } == ids.map { Optional($0) })
        #expect(interner.find("b") == nil)
    }
}
