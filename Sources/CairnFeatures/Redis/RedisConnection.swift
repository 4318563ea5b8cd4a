import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One connection to a Redis server: commands are written in order and their replies matched
/// to them first in, first out, so many requests share it (pipelining).
final class RedisConnection: Sendable {
    private let channel: any Channel
    private let handler: ReplyHandler

    private init(channel: any Channel, handler: ReplyHandler) {
        self.channel = channel
        self.handler = handler
    }

    static func connect(host: String, port: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> RedisConnection {
        let handler = ReplyHandler()
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in channel.pipeline.addHandler(handler) }
            .connect(host: host, port: port).get()
        return RedisConnection(channel: channel, handler: handler)
    }

    var isActive: Bool { channel.isActive }

    /// Longest a command waits for its reply; then the connection is closed (its replies can no
    /// longer be matched) and every waiting command fails.
    static let replyTimeout = TimeAmount.seconds(5)

    /// Sends commands in one write; answers their replies in order (a Redis error reply is thrown).
    func send(_ commands: [[[UInt8]]]) async throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        guard channel.isActive else { throw RedisError("The connection to Redis is closed.") }
        let channel = self.channel, handler = self.handler
        let promises = commands.map { _ in channel.eventLoop.makePromise(of: RESPValue.self) }
        var encoded = channel.allocator.buffer(capacity: 256)
        for command in commands { RESPValue.command(command, into: &encoded) }
        let buffer = encoded
        try await channel.eventLoop.submit {
            handler.enqueue(promises)
            let written = channel.eventLoop.makePromise(of: Void.self)
            written.futureResult.whenFailure { error in
                handler.failAll(error)
                channel.close(promise: nil)
            }
            channel.writeAndFlush(buffer, promise: written)
            let timeout = channel.eventLoop.scheduleTask(in: Self.replyTimeout) {
                handler.failAll(RedisError("Redis did not answer within 5 s."))
                channel.close(promise: nil)
            }
            promises.last!.futureResult.whenComplete { _ in timeout.cancel() }
        }.get()
        var replies: [RESPValue] = []
        for promise in promises {
            let reply = try await promise.futureResult.get()
            if case .error(let message) = reply { throw RedisError("Redis answered: \(message)") }
            replies.append(reply)
        }
        return replies
    }

    func close() async {
        try? await channel.close()
    }

    /// Decodes replies and completes the waiting commands in order; on the channel's event loop only.
    private final class ReplyHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        private var waiting: [EventLoopPromise<RESPValue>] = []
        private var pending: ByteBuffer?

        func enqueue(_ promises: [EventLoopPromise<RESPValue>]) { waiting += promises }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var incoming = unwrapInboundIn(data)
            if var pending {
                pending.writeBuffer(&incoming)
                incoming = pending
            }
            do {
                while let reply = try RESPValue.read(from: &incoming) {
                    guard !waiting.isEmpty else { break }
                    waiting.removeFirst().succeed(reply)
                }
                pending = incoming.readableBytes > 0 ? incoming : nil
            } catch {
                fail(error)
                context.close(promise: nil)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            fail(RedisError("The connection to Redis closed."))
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            fail(error)
            context.close(promise: nil)
        }

        func failAll(_ error: any Error) { fail(error) }

        private func fail(_ error: any Error) {
            let failed = waiting
            waiting = []
            for promise in failed { promise.fail(error) }
        }
    }
}
