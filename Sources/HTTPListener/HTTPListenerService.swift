import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import ServiceLifecycle

/// The worker's HTTP listener, as a swift-service-lifecycle service:
/// `/metrics`, `/livez` and `/readyz`, plus whatever routes are mounted on it.
///
/// Run it in the worker's service group, before the worker: a graceful
/// shutdown stops services in reverse order, so the worker drains first while
/// `/readyz` says so, and the listener stops last.
public struct HTTPListenerService<Context: RequestContext>: Service
where Context.Source == ApplicationRequestContextSource {
    public let address: ListenerAddress
    public let routes: HealthAndMetricsRoutes
    private let logger: Logger
    private let http1: HTTP1Channel.Configuration
    private let tls: ListenerTLS?
    private let mountRoutes: @Sendable (Router<Context>) -> Void
    private let onListening: @Sendable (Int) async -> Void

    /// - Parameters:
    ///   - context: the request context of every route, the mounted ones' too.
    ///   - http1: the HTTP/1 channel's settings (extra channel handlers the
    ///     mounted routes need).
    ///   - tls: serve HTTPS with this certificate and key (and only HTTPS); nil for plain HTTP.
    ///   - mountRoutes: adds further routes (the HTTP create endpoint) to the
    ///     same router, after the operations routes.
    ///   - onListening: called with the port once the listener accepts connections.
    public init(
        address: ListenerAddress, routes: HealthAndMetricsRoutes, logger: Logger, context: Context.Type,
        http1: HTTP1Channel.Configuration = .init(), tls: ListenerTLS? = nil,
        mountRoutes: @escaping @Sendable (Router<Context>) -> Void = { _ in },
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.address = address
        self.routes = routes
        self.logger = logger
        self.http1 = http1
        self.tls = tls
        self.mountRoutes = mountRoutes
        self.onListening = onListening
    }

    /// The router the listener serves: the operations routes, then the mounted ones.
    public func makeRouter() -> Router<Context> {
        let router = Router(context: Context.self)
        routes.add(to: router)
        mountRoutes(router)
        return router
    }

    /// Listens until a graceful shutdown; throws when the address cannot be bound.
    public func run() async throws {
        var quiet = logger
        // Hummingbird's own start and stop lines would repeat ours.
        quiet.logLevel = max(logger.logLevel, .notice)
        let server: HTTPServerBuilder
        if let tls {
            server = try .tls(.http1(configuration: http1), tlsConfiguration: tls.serverConfiguration)
        } else {
            server = .http1(configuration: http1)
        }
        let scheme = tls == nil ? "http" : "https"
        let application = Application(
            router: makeRouter(),
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port)),
            onServerRunning: { [address, logger, onListening] channel in
                let port = channel.localAddress?.port ?? address.port
                logger.info(
                    "http listener started",
                    metadata: [
                        "host": "\(address.host)", "port": "\(port)", "scheme": "\(scheme)",
                        "paths": "/metrics /livez /readyz",
                    ])
                await onListening(port)
            },
            logger: quiet)
        guard let tls else { return try await application.run() }
        // The certificate and key are watched for as long as the listener runs.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await tls.watchFiles() }
            defer { group.cancelAll() }
            try await application.run()
        }
    }
}

extension HTTPListenerService where Context == BasicRequestContext {
    /// A listener whose routes use Hummingbird's basic request context.
    public init(
        address: ListenerAddress, routes: HealthAndMetricsRoutes, logger: Logger,
        http1: HTTP1Channel.Configuration = .init(), tls: ListenerTLS? = nil,
        mountRoutes: @escaping @Sendable (Router<Context>) -> Void = { _ in },
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.init(
            address: address, routes: routes, logger: logger, context: BasicRequestContext.self,
            http1: http1, tls: tls, mountRoutes: mountRoutes, onListening: onListening)
    }
}
