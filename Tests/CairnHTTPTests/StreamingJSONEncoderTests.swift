import Foundation
import Testing
@testable import CairnHTTP

@Suite("Streaming JSON encoder for responses")
struct StreamingJSONEncoderTests {
    struct Inner: Encodable {
        let name: String
        let size: Int64?
    }

    struct Outer: Encodable {
        let id: String
        let values: [Double]
        let flag: Bool
        let inner: Inner
        let items: [Inner]?
        let missing: String?
        let empty: [String: String]
    }

    func text(_ value: some Encodable) throws -> String {
        String(decoding: try StreamingJSONEncoder.encode(value), as: UTF8.self)
    }

    @Test("Nested values, omitted nils, and non-finite doubles as MLflow's strings")
    func shapes() throws {
        let value = Outer(id: "a\"b\\c\n\u{1}é", values: [0.5, .nan, .infinity, -.infinity, 1e-5, 1.7976931348623157e308],
                          flag: true, inner: Inner(name: "x", size: nil), items: [Inner(name: "y", size: 3)], missing: nil, empty: [:])
        let json = try text(value)
        #expect(json == #"{"id":"a\"b\\c\n\u0001é","values":[0.5,"NaN","Infinity","-Infinity",1e-05,1.7976931348623157e+308],"flag":true,"inner":{"name":"x"},"items":[{"name":"y","size":3}],"empty":{}}"#)
        // And it is valid JSON that reads back.
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(parsed?["id"] as? String == "a\"b\\c\n\u{1}é")
    }

    struct Manual: Encodable {
        enum Keys: String, CodingKey { case a, b, c }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var nested = container.nestedUnkeyedContainer(forKey: .a)
            try nested.encode(1)
            try nested.encode(2)
            var object = container.nestedContainer(keyedBy: Keys.self, forKey: .b)
            try object.encode("x", forKey: .c)
            try container.encode(3, forKey: .c)
        }
    }

    @Test("Hand-written encode(to:) with nested containers still yields valid JSON")
    func nestedContainers() throws {
        #expect(try text(Manual()) == #"{"a":[1,2],"b":{"c":"x"},"c":3}"#)
    }
}
