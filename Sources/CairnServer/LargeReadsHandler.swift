import NIOCore

/// Lets a connection read up to 1 MiB from its socket at a time instead of NIO's default 64 KiB,
/// so a large upload (a model file) reaches the handler in a few hundred chunks per GiB rather
/// than thousands; each chunk costs a hop between the event loop and the handler's task. NIO's
/// adaptive allocator only grows the read buffer while reads fill it, so small requests keep
/// small buffers. The handler passes every request part through unchanged.
final class LargeReadsHandler: ChannelInboundHandler, RemovableChannelHandler {
    /// Whatever the HTTP codec produces; it is forwarded as it is.
    typealias InboundIn = NIOAny

    static let maximumRead = 1 << 20

    func handlerAdded(context: ChannelHandlerContext) {
        let allocator = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: Self.maximumRead)
        _ = context.channel.setOption(ChannelOptions.recvAllocator, value: allocator)
    }
}
