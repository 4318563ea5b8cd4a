import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Keep-alive HTTP/1.1 connections to one replica, one request at a time on each: the gateway's
/// hot path, lighter than a general-purpose client (no per-chunk task hops, no redirects, no
/// streaming). Idle connections are kept per event loop, so a request read on one loop is sent and
/// answered on that same loop without changing threads. A request on a pooled connection the
/// replica has closed is sent again on a new one.
final class ReplicaConnections: Sendable {
    struct Answer: Sendable {
        var head: HTTPResponseHead
        var body: ByteBuffer
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// An open connection and the handler that collects its answers (touched only on its loop).
    private struct Connection: Sendable {
        let channel: any Channel
        let collector: AnswerCollector
    }

    private let host: String
    private let port: Int
    /// Idle connections by the event loop they run on; none are kept once closed.
    private let idle = Mutex<(pools: [ObjectIdentifier: [Connection]], closed: Bool)>(([:], false))
    /// Idle connections kept per event loop beyond this many are closed.
    static let maxIdle = 64
    static let maxAnswerBytes = 256 << 20
    static let answerTimeout = TimeAmount.seconds(600)

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Sends one request on a connection of `eventLoop` and calls `completion` with the whole
    /// answer, on that loop. Callbacks rather than futures: this runs once per request.
    func send(on eventLoop: any EventLoop, method: HTTPMethod, path: String, contentType: String?, body: ByteBuffer?,
              completion: @escaping @Sendable (Result<Answer, any Error>) -> Void) {
        guard eventLoop.inEventLoop else {
            return eventLoop.execute { self.send(on: eventLoop, method: method, path: path, contentType: contentType, body: body, completion: completion) }
        }
        let request = Request(host: host, port: port, method: method, path: path, contentType: contentType, body: body)
        if let pooled = idle.withLock({ $0.pools[ObjectIdentifier(eventLoop)]?.popLast() }) {
            // If the replica closed it while idle, nothing was processed: it is sent again on a fresh one.
            exchange(request, on: pooled, retryIfStale: true, completion: completion)
        } else {
            exchangeOnNewConnection(request, on: eventLoop, completion: completion)
        }
    }

    /// Closes every idle connection; the ones in use close when their answer is in.
    func close() {
        let pooled = idle.withLock { idle in
            defer { idle = ([:], true) }
            return Array(idle.pools.values.joined())
        }
        for connection in pooled { connection.channel.close(promise: nil) }
    }

    private func exchangeOnNewConnection(_ request: Request, on eventLoop: any EventLoop, completion: @escaping @Sendable (Result<Answer, any Error>) -> Void) {
        ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(AnswerCollector())
                }
            }
            .connect(host: host, port: port)
            .flatMapThrowing { channel in Connection(channel: channel, collector: try channel.pipeline.syncOperations.handler(type: AnswerCollector.self)) }
            .whenComplete { connected in
                switch connected {
                case .success(let connection): self.exchange(request, on: connection, retryIfStale: false, completion: completion)
                case .failure(let error): completion(.failure(error))
                }
            }
    }

    /// Writes `request` on `connection` (on its loop); once answered, pools the connection again
    /// and calls `completion`.
    private func exchange(_ request: Request, on connection: Connection, retryIfStale: Bool, completion: @escaping @Sendable (Result<Answer, any Error>) -> Void) {
        let channel = connection.channel
        // A replica that never answers: the connection is closed, which fails the request.
        let collector = connection.collector
        let timeout = channel.eventLoop.scheduleTask(in: Self.answerTimeout) { collector.timeOut(channel) }
        let expected = connection.collector.expect { result in
            timeout.cancel()
            switch result {
            case .success(let answer):
                self.release(connection, keepAlive: answer.head.isKeepAlive)
                completion(.success(answer))
            case .failure(let error) where error is StaleConnection:
                if retryIfStale {
                    self.exchangeOnNewConnection(request, on: channel.eventLoop, completion: completion)
                } else {
                    completion(.failure(Failure(description: "the replica closed the connection without answering")))
                }
            case .failure(let error):
                completion(.failure(error))
            }
        }
        guard expected else { return }
        channel.write(HTTPClientRequestPart.head(request.head), promise: nil)
        if let body = request.body { channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }

    private func release(_ connection: Connection, keepAlive: Bool) {
        let key = ObjectIdentifier(connection.channel.eventLoop)
        if keepAlive, connection.channel.isActive, idle.withLock({ idle in
            guard !idle.closed, idle.pools[key, default: []].count < Self.maxIdle else { return false }
            idle.pools[key, default: []].append(connection)
            return true
        }) {
            return
        }
        connection.channel.close(promise: nil)
    }

    /// One request to a replica.
    private struct Request: Sendable {
        let head: HTTPRequestHead
        let body: ByteBuffer?

        init(host: String, port: Int, method: HTTPMethod, path: String, contentType: String?, body: ByteBuffer?) {
            var headers = HTTPHeaders([("Host", "\(host):\(port)"), ("Content-Length", String(body?.readableBytes ?? 0))])
            if let contentType { headers.add(name: "Content-Type", value: contentType) }
            self.head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
            self.body = body
        }
    }
}

/// The connection was closed before any of the answer came back.
struct StaleConnection: Error {}

/// Collects one answer at a time on a replica connection and completes its promise.
private final class AnswerCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart

    // Touched only on the channel's event loop.
    private var pending: (@Sendable (Result<ReplicaConnections.Answer, any Error>) -> Void)?
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?
    private var isClosed = false
    /// Closed because no answer came in time: the request may have been taken, so it is not sent again.
    private var timedOut = false

    /// Takes the callback for the next answer; false (and the callback called with a failure) if the connection is gone.
    func expect(_ completion: @escaping @Sendable (Result<ReplicaConnections.Answer, any Error>) -> Void) -> Bool {
        guard !isClosed else {
            completion(.failure(StaleConnection()))
            return false
        }
        pending = completion
        head = nil
        body = nil
        return true
    }

    /// Gives up on the answer awaited on `channel` and closes it.
    func timeOut(_ channel: any Channel) {
        timedOut = true
        channel.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let received):
            head = received
        case .body(var part):
            if body == nil { body = part } else { body!.writeBuffer(&part) }
            if (body?.readableBytes ?? 0) > ReplicaConnections.maxAnswerBytes {
                fail(ReplicaConnections.Failure(description: "the answer is larger than \(ReplicaConnections.maxAnswerBytes >> 20) MiB"))
                context.close(promise: nil)
            }
        case .end:
            if let head, let pending {
                self.pending = nil
                pending(.success(.init(head: head, body: body ?? ByteBuffer())))
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isClosed = true
        // Closed before the head: the request was not taken (a stale keep-alive); after: a failure.
        if timedOut {
            fail(ReplicaConnections.Failure(description: "no answer within \(ReplicaConnections.answerTimeout.nanoseconds / 1_000_000_000) s"))
        } else {
            fail(head == nil ? StaleConnection() : ReplicaConnections.Failure(description: "the replica closed the connection mid-answer"))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    private func fail(_ error: any Error) {
        guard let pending else { return }
        self.pending = nil
        pending(.failure(error))
    }
}
