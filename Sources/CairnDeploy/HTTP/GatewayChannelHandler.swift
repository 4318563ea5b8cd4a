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
        /// Sent to a replica; parts read meanwhile (pipelined requests) wait for its answer.
        case answering
    }

    private let gateway: DeploymentGateway
    private let serverName: String?
    private var state = State.idle
    /// Requests handed to the router whose answers have not all been written yet.
    private var routerRequests = 0
    /// Parts read while answering, handled once the answer is written.
    private var waiting = CircularBuffer<HTTPRequestPart>()
    /// A read asked for while answering, issued once the answer is written.
    private var readHeld = false
    /// A graceful shutdown's event that came while busy, passed on once the answer is written.
    private var quiesceHeld = false

    public init(gateway: DeploymentGateway, serverName: String? = nil) {
        self.gateway = gateway
        self.serverName = serverName
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if isAnswering {
            waiting.append(part)
        } else {
            handle(part, context: context)
        }
    }

    public func read(context: ChannelHandlerContext) {
        if isAnswering { readHeld = true } else { context.read() }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { routerRequests -= 1 }
        context.write(data, promise: promise)
    }

    /// A graceful shutdown closes idle connections: this one is not idle while a request is
    /// being collected or answered here, so the event waits for the answer.
    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, isBusy {
            quiesceHeld = true
        } else {
            context.fireUserInboundEventTriggered(event)
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

    /// Writes the answer, then takes up what was read meanwhile.
    private func respond(status: Int, headers: HTTPFields, body: ByteBuffer, closes: Bool, context: ChannelHandlerContext) {
        var headers = headers
        headers[.contentLength] = String(body.readableBytes)
        headers[.date] = HTTPDate.now
        if let serverName { headers[.server] = serverName }
        if closes { headers[.connection] = "close" }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .init(code: status), headerFields: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        state = .idle
        if closes {
            waiting.removeAll()
            context.close(promise: nil)
            return
        }
        if !waiting.isEmpty {
            while !waiting.isEmpty, !isAnswering {
                handle(waiting.removeFirst(), context: context)
            }
            // The router's side delivers what it was given at the end of a read.
            context.fireChannelReadComplete()
        }
        if quiesceHeld, !isBusy {
            quiesceHeld = false
            context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        if readHeld, !isAnswering {
            readHeld = false
            context.read()
        }
    }

    /// Whether a `Connection` header's options include `close`.
    static func asksToClose(_ connection: String?) -> Bool {
        connection?.split(separator: ",").contains { $0.lowercased().filter { $0 != " " && $0 != "\t" } == "close" } ?? false
    }

    private var isBusy: Bool {
        if case .idle = state { return false }
        return true
    }

    private var isAnswering: Bool {
        if case .answering = state { return true }
        return false
    }
}
