@testable import CairnFeatures
import NIOCore
import Testing

@Suite("Redis replies (RESP2) read whole, or not at all until they have arrived")
struct RESPValueTests {
    @Test("Every reply type, nested arrays and nil bulks")
    func reads() throws {
        var buffer = ByteBuffer(string: "+OK\r\n-ERR wrong\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*3\r\n$1\r\ne\r\n$-1\r\n*1\r\n:7\r\n")
        #expect(try RESPValue.read(from: &buffer) == .simple("OK"))
        #expect(try RESPValue.read(from: &buffer) == .error("ERR wrong"))
        #expect(try RESPValue.read(from: &buffer) == .integer(42))
        #expect(try RESPValue.read(from: &buffer) == .bulk(Array("hello".utf8)))
        #expect(try RESPValue.read(from: &buffer) == .bulk(nil))
        #expect(try RESPValue.read(from: &buffer) == .array([.bulk(Array("e".utf8)), .bulk(nil), .array([.integer(7)])]))
        #expect(buffer.readableBytes == 0)
    }

    @Test("A reply split across reads is left in the buffer until it is complete")
    func partial() throws {
        let whole = Array("*2\r\n$3\r\nabc\r\n:1\r\n".utf8)
        for cut in 1..<whole.count {
            var buffer = ByteBuffer(bytes: whole[..<cut])
            #expect(try RESPValue.read(from: &buffer) == nil, "cut at \(cut)")
            #expect(buffer.readableBytes == cut)
            buffer.writeBytes(whole[cut...])
            #expect(try RESPValue.read(from: &buffer) == .array([.bulk(Array("abc".utf8)), .integer(1)]))
        }
    }

    @Test("Commands go out as arrays of bulk strings")
    func writes() {
        var buffer = ByteBuffer()
        RESPValue.command([Array("HMGET".utf8), Array("k".utf8), Array("e".utf8)], into: &buffer)
        #expect(String(buffer: buffer) == "*3\r\n$5\r\nHMGET\r\n$1\r\nk\r\n$1\r\ne\r\n")
    }
}
