import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Keeps the promise of a response that says `Connection: close`: once such a response is
/// written, the connection is half-closed at once (the client sees the end of the response,
/// then end of stream) and fully closed after `lingering` or when the client closes first.
///
/// Why: the endpoint answers 413 and 415 without reading the body. Hummingbird would then
/// read and discard the whole body to keep the connection for the next request, however
/// long the client keeps sending. Closing at once instead would make the kernel reset the
/// connection over the unread bytes, and the client could lose the answer; RFC 9112 §9.6
/// asks for this half-close first. Hummingbird has no such option, so it is done here, as a
/// channel handler of the HTTP/1 server (`.http1(configuration: .init(additionalChannelHandlers:))`).
public final class LingeringCloseHandler: ChannelOutboundHandler, RemovableChannelHandler {
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    private let lingering: TimeAmount
    private var closeAfterResponse = false
    private var fullClose: Scheduled<Void>?

    /// - Parameter lingering: how long the input is still read (and discarded) after the
    ///   half-close, at most.
    public init(lingering: TimeAmount = .seconds(2)) {
        self.lingering = lingering
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response):
            if response.status.kind != .informational {
                closeAfterResponse = response.headerFields[.connection]?.lowercased() == "close"
            }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            guard closeAfterResponse, fullClose == nil else {
                context.write(data, promise: promise)
                return
            }
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            written.futureResult.assumeIsolated().whenComplete { [lingering] _ in
                context.close(mode: .output, promise: nil)
                self.fullClose = context.eventLoop.assumeIsolated().scheduleTask(in: lingering) {
                    context.close(promise: nil)
                }
            }
            context.writeAndFlush(data, promise: written)
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        fullClose?.cancel()
    }
}
