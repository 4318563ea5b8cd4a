import CairnCore
import Foundation
import Hummingbird
import NIOCore

/// Turns an HTTP request into `RequestFields` the way MLflow's server reads requests: POST and PUT
/// need `Content-Type: application/json`; GET reads the query string (falling back to a JSON body);
/// an empty body is `{}`; a body holding a JSON string is decoded once more (old clients).
public enum MLflowRequestDecoder {
    /// JSON bodies above this are refused with 413 before they are parsed. The largest valid MLflow
    /// request (a full `log-batch`) is about 1.5 MB; artifact uploads stream and have no such limit.
    public static let maxBodyBytes = 10 * 1024 * 1024

    public static func fields(from request: Request) async throws -> RequestFields {
        if request.method == .get, let query = request.uri.query, !query.isEmpty {
            return RequestFields(values: QueryString.parse(query), isQueryString: true)
        }
        if request.method == .post || request.method == .put {
            let contentType = request.headers[.contentType]?.lowercased() ?? ""
            guard contentType.hasPrefix("application/json") else {
                throw CairnError.invalidParameter("Bad Request. Content-Type must be one of ['application/json'].")
            }
        }
        let body = try await collect(request)
        return RequestFields(values: try parseObject(body))
    }

    /// Reads the whole body, refusing one over `maxBodyBytes` with 413.
    public static func collect(_ request: Request) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw CairnError(.invalidParameterValue,
                             "Request body is larger than the limit of \(maxBodyBytes) bytes.", httpStatus: 413)
        }
    }

    static func parseObject(_ body: ByteBuffer) throws -> [String: JSONValue] {
        let bytes = body.readableBytesView
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [:] }
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw CairnError(.malformedRequest, "Malformed JSON in request body: \(error)", httpStatus: 400)
        }
        switch value {
        case .object(let fields):
            return fields
        case .string(let nested):
            // Very old clients double-encode the body as a JSON string.
            var buffer = ByteBuffer()
            buffer.writeString(nested)
            return try parseObject(buffer)
        default:
            throw CairnError(.malformedRequest, "Malformed request body: expected a JSON object, got \(value.pythonTypeName).", httpStatus: 400)
        }
    }
}
