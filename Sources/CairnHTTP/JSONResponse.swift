import Hummingbird

/// Encodes response bodies as MLflow does: snake_case keys given by the DTOs, unset fields omitted,
/// NaN and infinities as the strings "NaN", "Infinity" and "-Infinity".
public enum JSONResponse {
    public static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let bytes = try StreamingJSONEncoder.encode(value)
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    public static func make(written value: some JSONBodyWriting, status: HTTPResponse.Status = .ok) -> Response {
        var writer = JSONWriter()
        value.writeJSON(to: &writer)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }

    /// `{}`: what MLflow's write endpoints answer.
    public static func empty() -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
    }
}

/// An empty JSON object, for endpoints that answer `{}`.
public struct EmptyResponse: Encodable, Sendable {
    public init() {}
}
