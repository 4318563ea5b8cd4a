import CairnCore
import Foundation
import NIOCore
import Testing
@testable import CairnHTTP

@Suite("Request decoding reports bad input the way MLflow does")
struct RequestFieldsTests {
    func fields(_ json: String) throws -> RequestFields {
        RequestFields(values: try MLflowRequestDecoder.parseObject(ByteBuffer(string: json)))
    }

    func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as CairnError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test("A wrong type names the parameter, the value and its type")
    func wrongType() throws {
        let request = try fields(#"{"name": 123}"#)
        #expect(message { _ = try request.requiredString("name") }?.hasPrefix("Invalid value 123 for parameter 'name' supplied: Hint: Value was of type 'int'") == true)
        #expect(message { _ = try fields(#"{"value": true}"#).double("value") }?.contains("type 'bool'") == true)
    }

    @Test("Absent, null and empty required strings are all missing")
    func missing() throws {
        for body in [#"{}"#, #"{"name": null}"#, #"{"name": ""}"#] {
            #expect(message { _ = try fields(body).requiredString("name") }?.hasPrefix("Missing value for required parameter 'name'") == true)
        }
    }

    @Test("int64 fields accept numbers and decimal strings; doubles accept NaN and infinities as strings")
    func numbers() throws {
        let request = try fields(#"{"a": 12, "b": "34", "c": "NaN", "d": "-Infinity", "e": 1.5}"#)
        #expect(try request.int64("a") == 12)
        #expect(try request.int64("b") == 34)
        #expect(try request.double("c")?.isNaN == true)
        #expect(try request.double("d") == -.infinity)
        #expect(try request.double("e") == 1.5)
        #expect(message { _ = try request.int64("e") } != nil)
    }

    @Test("Malformed JSON and non-object bodies are refused; a double-encoded body is accepted")
    func bodies() throws {
        #expect(message { _ = try fields(#"{"name": "x""#) }?.contains("Malformed JSON") == true)
        #expect(message { _ = try fields("[1, 2]") }?.contains("expected a JSON object") == true)
        #expect(message { _ = try fields(#"{"name": "x",}"#) }?.contains("Malformed JSON") == true)
        #expect(message { _ = try fields(#"{"a": [1, 2,]}"#) }?.contains("Malformed JSON") == true)
        #expect(try fields(#"{"name": "a,}"}"#).requiredString("name") == "a,}")
        #expect(try fields(#""{\"name\": \"x\"}""#).requiredString("name") == "x")
        #expect(try fields("  ").values.isEmpty)
    }

    @Test("Enums take names or proto numbers")
    func enums() throws {
        let names = ["ACTIVE_ONLY", "DELETED_ONLY", "ALL"]
        #expect(try fields(#"{"v": "ALL"}"#).enumName("v", names: names) == "ALL")
        #expect(try fields(#"{"v": 2}"#).enumName("v", names: names) == "DELETED_ONLY")
        #expect(message { _ = try fields(#"{"v": "SOME"}"#).enumName("v", names: names) } != nil)
    }

    @Test("Query strings: plus is a space, keys repeat into lists")
    func queryStrings() throws {
        let parsed = QueryString.parse("filter=name+%3D+%27a+b%27&order_by=x&order_by=y+DESC&max_results=5")
        let request = RequestFields(values: parsed, isQueryString: true)
        #expect(try request.string("filter") == "name = 'a b'")
        #expect(try request.strings("order_by") == ["x", "y DESC"])
        #expect(try request.int64("max_results") == 5)
    }
}

@Suite("Error codes map to MLflow's HTTP statuses")
struct ErrorCodeTests {
    @Test("Status per code", arguments: [
        (ErrorCode.invalidParameterValue, 400), (.resourceAlreadyExists, 400), (.resourceDoesNotExist, 404),
        (.permissionDenied, 403), (.unauthenticated, 401), (.requestLimitExceeded, 429), (.internalError, 500),
        (.invalidState, 500), (.dataLoss, 500), (.notImplemented, 501), (.temporarilyUnavailable, 503),
    ])
    func status(code: ErrorCode, status: Int) {
        #expect(code.httpStatus == status)
        #expect(CairnError(code, "x").httpStatus == status)
    }
}
