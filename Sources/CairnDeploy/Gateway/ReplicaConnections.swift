import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Keep-alive HTTP/1.1 connections to one replica, one request at a time on each: the gateway's
/// hot path, lighter than a general-purpose client (no per-chunk task hops, no redirects, no
/// streaming). A request on a pooled connection the replica has closed is sent again on a new one.
final class ReplicaConnections: Sendable {
    struct Answer: Sendable {
        var head: HTTPResponseHead
        var body: ByteBuffer
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let host: String
    private let port: Int
    private let idle = Mutex<[Channel]>([])
    private let closed = Atomic<Bool>(false)
    /// Idle connections kept beyond this many are closed.
    static let maxIdle = 64
    static let maxAnswerBytes = 256 << 20
    static let answerTimeout = TimeAmount.seconds(600)

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Sends one request and returns the whole answer.
    func send(method: HTTPMethod, path: String, contentType: String?, body: ByteBuffer?) async throws -> Answer {
        if let pooled = idle.withLock({ $0.popLast() }) {
            do {
                return try await exchange(on: pooled, method: method, path: path, contentType: contentType, body: body)
            } catch is StaleConnection {
                // The replica closed it while idle: nothing was processed, so send it again on a fresh one.
            }
        }
        let channel = try await connect()
        do {
            return try await exchange(on: channel, method: method, path: path, contentType: contentType, body: body)
        } catch is StaleConnection {
            throw Failure(description: "the replica closed the connection without answering")
        }
    }

    /// Closes every idle connection; the ones in use close when their answer is in.
    func close() {
        closed.store(true, ordering: .relaxed)
        for channel in idle.withLock({ list in defer { list = [] }; return list }) { channel.close(promise: nil) }
    }

    private func connect() async throws -> Channel {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(AnswerCollector())
                }
            }
            .connect(host: host, port: port).get()
    }

    private func exchange(on channel: Channel, method: HTTPMethod, path: String, contentType: String?, body: ByteBuffer?) async throws -> Answer {
        let promise = channel.eventLoop.makePromise(of: Answer.self)
        var headers = HTTPHeaders([("Host", "\(host):\(port)"), ("Content-Length", String(body?.readableBytes ?? 0))])
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
        channel.pipeline.handler(type: AnswerCollector.self).whenComplete { found in
            switch found {
            case .success(let collector):
                guard collector.expect(promise) else { return }
                channel.write(HTTPClientRequestPart.head(head), promise: nil)
                if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil) }
                channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            case .failure:
                promise.fail(StaleConnection())
            }
        }
        // A replica that never answers: the connection is closed, which fails the request.
        let timeout = channel.eventLoop.scheduleTask(in: Self.answerTimeout) { channel.close(promise: nil) }
        promise.futureResult.whenComplete { _ in timeout.cancel() }
        let answer = try await promise.futureResult.get()
        if answer.head.isKeepAlive, channel.isActive, !closed.load(ordering: .relaxed),
           idle.withLock({ list in list.count < Self.maxIdle ? { list.append(channel); return true }() : false }) {
            return answer
        }
        channel.close(promise: nil)
        return answer
    }
}

/// The connection was closed before any of the answer came back.
struct StaleConnection: Error {}

/// Collects one answer at a time on a replica connection and completes its promise.
private final class AnswerCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart

    // Touched only on the channel's event loop.
    private var pending: EventLoopPromise<ReplicaConnections.Answer>?
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?
    private var isClosed = false

    /// Takes the promise for the next answer; false (and the promise failed) if the connection is gone.
    func expect(_ promise: EventLoopPromise<ReplicaConnections.Answer>) -> Bool {
        guard !isClosed else {
            promise.fail(StaleConnection())
            return false
        }
        pending = promise
        head = nil
        body = nil
        return true
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
                pending.succeed(.init(head: head, body: body ?? ByteBuffer()))
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isClosed = true
        // Closed before the head: the request was not taken (a stale keep-alive); after: a failure.
        fail(head == nil ? StaleConnection() : ReplicaConnections.Failure(description: "the replica closed the connection mid-answer"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    private func fail(_ error: any Error) {
        guard let pending else { return }
        self.pending = nil
        pending.fail(error)
    }
}
