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

    /// Sends commands in one write; answers their replies in order (a Redis error reply is thrown).
    func send(_ commands: [[[UInt8]]]) async throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        let channel = self.channel, handler = self.handler
        let promises = commands.map { _ in channel.eventLoop.makePromise(of: RESPValue.self) }
        var encoded = channel.allocator.buffer(capacity: 256)
        for command in commands { RESPValue.command(command, into: &encoded) }
        let buffer = encoded
        try await channel.eventLoop.submit {
            handler.enqueue(promises)
            channel.writeAndFlush(buffer, promise: nil)
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

        private func fail(_ error: any Error) {
            let failed = waiting
            waiting = []
            for promise in failed { promise.fail(error) }
        }
    }
}
