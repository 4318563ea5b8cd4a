import CairnCore
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers the gateway's inference requests on the event loop that read them, in front of the
/// router: a POST to a deployment's inference path is collected here, sent to a replica over a
/// connection of the same loop, and answered from the replica's callback — no Swift task in
/// between, so no hand-off between the loop's thread and the task threads (each one is
/// scheduling latency, most of it at the tail). Everything else goes on to the router unchanged,
/// in order: other paths, requests that need a feature lookup or must wait for a replica to come
/// up (`DeploymentGateway.forwardNow` declines them), and requests pipelined behind one the
/// router has not answered yet.
public final class GatewayChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    private enum State {
        case idle
        /// An inference request whose body is arriving.
        case collecting(HTTPRequest, GatewayEndpoint, body: ByteBuffer?)
        /// Sent to a replica; what is read meanwhile (pipelined requests) waits for its answer.
        case answering
        /// The answer asked for the connection to close: nothing more is read or answered.
        case closing
    }

    /// What arrived while answering, in order.
    private enum Inbound {
        case part(HTTPRequestPart)
        case inputClosed
        case error(any Error)
    }

    private let gateway: DeploymentGateway
    private let serverName: String?
    private var state = State.idle
    /// Requests handed to the router whose answers have not all been written yet.
    private var routerRequests = 0
    private var waiting = CircularBuffer<Inbound>()
    /// A read asked for while answering or while the socket could take no more writes; issued when both clear.
    private var readHeld = false
    /// A graceful shutdown began while a request was in progress here: its answer closes the connection.
    private var quiesceHeld = false

    public init(gateway: DeploymentGateway, serverName: String? = nil) {
        self.gateway = gateway
        self.serverName = serverName
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state {
        case .answering: waiting.append(.part(unwrapInboundIn(data)))
        case .closing: break
        case .idle, .collecting: handle(unwrapInboundIn(data), context: context)
        }
    }

    /// Reads wait while an answer is awaited (pipelined requests queue in the socket, not here)
    /// and while the client is not reading its answers.
    public func read(context: ChannelHandlerContext) {
        if mayRead(context) { context.read() } else { readHeld = true }
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        context.fireChannelWritabilityChanged()
        resumeReading(context)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), routerRequests > 0 { routerRequests -= 1 }
        context.write(data, promise: promise)
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch (state, event) {
        case (.collecting, is ChannelShouldQuiesceEvent), (.answering, is ChannelShouldQuiesceEvent):
            // A graceful shutdown closes idle connections; this one closes after its answer.
            quiesceHeld = true
        case (.answering, ChannelEvent.inputClosed as ChannelEvent):
            waiting.append(.inputClosed)
        case (.collecting, ChannelEvent.inputClosed as ChannelEvent):
            state = .idle  // the request will never be whole
            context.fireUserInboundEventTriggered(event)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch state {
        case .answering:
            waiting.append(.error(error))
        case .collecting:
            state = .idle
            context.fireErrorCaught(error)
        case .idle, .closing:
            context.fireErrorCaught(error)
        }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        waiting.removeAll()
        context.fireChannelInactive()
    }

    private func handle(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch (state, part) {
        case (.idle, .head(let head)):
            if routerRequests == 0, head.method == .post, let path = head.path, let endpoint = GatewayEndpoint(postPath: path) {
                state = .collecting(head, endpoint, body: nil)
                if head.headerFields[.expect]?.lowercased() == "100-continue" {
                    context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
                }
            } else {
                passOn(part, context: context)
            }
        case (.collecting(let head, let endpoint, var body), .body(var chunk)):
            state = .idle  // lets `body` be appended to in place
            if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
            if body!.readableBytes > GatewayEndpoint.maxBodyBytes {
                // Too large to hold here: the router refuses it, with its usual error.
                passOn(.head(head), context: context)
                context.fireChannelRead(wrapInboundOut(.body(body!)))
            } else {
                state = .collecting(head, endpoint, body: body)
            }
        case (.collecting(let head, let endpoint, let body), .end):
            send(head, to: endpoint, body: body, context: context)
        default:
            // The rest of a request the router has.
            context.fireChannelRead(wrapInboundOut(part))
        }
    }

    /// Hands a request's head to the router; its other parts follow it.
    private func passOn(_ head: HTTPRequestPart, context: ChannelHandlerContext) {
        routerRequests += 1
        context.fireChannelRead(wrapInboundOut(head))
    }

    private func send(_ head: HTTPRequest, to endpoint: GatewayEndpoint, body: ByteBuffer?, context: ChannelHandlerContext) {
        let request = GatewayRequest(deployment: endpoint.deployment, path: endpoint.replicaPath, method: .POST,
                                     contentType: head.headerFields[.contentType], body: body,
                                     routingKey: head.headerFields[.cairnRoutingKey], requestID: GatewayRequest.requestID(given: head.headerFields[.requestID]))
        guard let answer = gateway.forwardNow(request, on: context.eventLoop) else {
            state = .idle
            passOn(.head(head), context: context)
            if let body { context.fireChannelRead(wrapInboundOut(.body(body))) }
            context.fireChannelRead(wrapInboundOut(.end(nil)))
            return
        }
        state = .answering
        let closes = Self.asksToClose(head.headerFields[.connection])
        answer.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let answer):
                var headers = answer.headers
                headers[.requestID] = request.requestID
                self.respond(status: answer.status, headers: headers, body: answer.body, closes: closes, context: context)
            case .failure(let error):
                let failure = DeploymentGateway.cairnError(error)
                self.respond(status: failure.httpStatus, headers: [.contentType: "application/json", .requestID: request.requestID],
                             body: GatewayEndpoint.errorBody(failure, style: endpoint.errors), closes: closes, context: context)
            }
        }
    }

    /// Writes the answer, then takes up what was read meanwhile, or closes the connection once
    /// the answer is out if the client or a shutdown asked for that.
    private func respond(status: Int, headers: HTTPFields, body: ByteBuffer, closes asked: Bool, context: ChannelHandlerContext) {
        let closes = asked || quiesceHeld
        var headers = headers
        headers[.contentLength] = String(body.readableBytes)
        headers[.date] = HTTPDate.now
        if let serverName { headers[.server] = serverName }
        if closes { headers[.connection] = "close" }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .init(code: status), headerFields: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        guard !closes else {
            state = .closing
            waiting.removeAll()
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
            return
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        state = .idle
        if !waiting.isEmpty {
            while !waiting.isEmpty, mayTakeUp {
                switch waiting.removeFirst() {
                case .part(let part): handle(part, context: context)
                case .inputClosed: context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
                case .error(let error): context.fireErrorCaught(error)
                }
            }
            // The router's side delivers what it was given at the end of a read.
            context.fireChannelReadComplete()
        }
        resumeReading(context)
    }

    /// Whether what arrives can be handled now (no answer awaited).
    private var mayTakeUp: Bool {
        switch state {
        case .answering, .closing: false
        case .idle, .collecting: true
        }
    }

    private func mayRead(_ context: ChannelHandlerContext) -> Bool {
        mayTakeUp && context.channel.isWritable
    }

    private func resumeReading(_ context: ChannelHandlerContext) {
        if readHeld, mayRead(context) {
            readHeld = false
            context.read()
        }
    }

    /// Whether a `Connection` header's options include `close`.
    static func asksToClose(_ connection: String?) -> Bool {
        connection?.split(separator: ",").contains { $0.lowercased().filter { $0 != " " && $0 != "\t" } == "close" } ?? false
    }
}
