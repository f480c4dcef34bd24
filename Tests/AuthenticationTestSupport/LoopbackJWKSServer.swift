import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A JWKS endpoint on 127.0.0.1 (an ephemeral port), serving whatever document the test
/// sets, and counting the requests; for key-rotation tests against a real HTTP fetch.
public final class LoopbackJWKSServer: Sendable {
    /// Read by the server's handler, written by the test.
    private final class Served: Sendable {
        let state: Mutex<(document: String, requests: Int)>
        init(_ document: String) { state = Mutex((document: document, requests: 0)) }
    }

    private let served: Served
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    /// `http://127.0.0.1:<port>/jwks`.
    public let url: URL

    /// Starts serving `document`; returns once the port is bound.
    public init(document: String) async throws {
        let served = Served(document)
        self.served = served
        let router = Router()
        router.get("jwks") { _, _ -> Response in
            let document = served.state.withLock { state in
                state.requests += 1
                return state.document
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: document)))
        }
        let port = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "loopback-jwks")
        logger.logLevel = .warning
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                port.continuation.yield(channel.localAddress?.port ?? 0)
                port.continuation.finish()
            },
            logger: logger)
        group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [application], gracefulShutdownSignals: [], logger: logger))
        task = Task { [group] in try await group.run() }
        var bound = 0
        for await value in port.stream { bound = value }
        guard bound > 0 else { throw CocoaError(.featureUnsupported) }
        url = URL(string: "http://127.0.0.1:\(bound)/jwks")!
    }

    /// Serves `document` from the next request on.
    public func serve(_ document: String) {
        served.state.withLock { $0.document = document }
    }

    /// Requests answered so far.
    public var requestCount: Int { served.state.withLock { $0.requests } }

    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}
