import NIOCore
import NIOHTTP1

/// One inference request for a deployment, as the gateway passes it to a replica.
public struct GatewayRequest: Sendable {
    public var deployment: String
    /// The path on the replica.
    public var path: String
    public var method: HTTPMethod
    public var contentType: String?
    public var body: ByteBuffer?
    /// Keeps requests with the same key on one revision (A/B), when given.
    public var routingKey: String?
    /// The key that joins feedback to the logged prediction.
    public var requestID: String

    public init(deployment: String, path: String, method: HTTPMethod, contentType: String?, body: ByteBuffer?, routingKey: String?, requestID: String) {
        self.deployment = deployment
        self.path = path
        self.method = method
        self.contentType = contentType
        self.body = body
        self.routingKey = routingKey
        self.requestID = requestID
    }
}
