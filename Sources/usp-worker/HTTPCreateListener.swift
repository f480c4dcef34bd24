import ArgumentParser
import HTTPCreate
import Hummingbird
import Logging
import ServiceLifecycle
import Worker

/// `POST /security/userSecurityProfiles` for `usp-worker run`, on a Hummingbird listener of
/// its own. Everything about that listener is in this file: where the worker's HTTP
/// listener exists, mount `UserSecurityProfilesEndpoint.addRoutes(to:)` on its router, add
/// `LingeringCloseHandler` to its HTTP/1 channel handlers, and list the `EntityPublisher`
/// before it in the service group instead.
struct HTTPCreateOptions: ParsableArguments {
    @Flag(inversion: .prefixedNo, help: "Serve POST /security/userSecurityProfiles over HTTP (env USP_HTTP_CREATE=false turns it off).")
    var httpCreate = true

    @Option(help: "Address the HTTP listener binds (env USP_HTTP_HOST).")
    var httpHost: String?

    @Option(help: "Port of the HTTP listener (env USP_HTTP_PORT).")
    var httpPort: Int?

    @Option(help: "Milliseconds an HTTP-created entity may wait for the brokers' acknowledgement before the request gets 503 (env USP_PUBLISH_TIMEOUT_MS).")
    var publishTimeoutMs: Int?

    @Option(help: "Idempotency-Key creates whose first time is remembered, so retries are byte-identical (env USP_IDEMPOTENCY_WINDOW).")
    var idempotencyWindow: Int?

    /// The publisher and the listener, in the order a service group must start them
    /// (it stops them in reverse: the listener first); empty when the endpoint is off.
    func services(for worker: WorkerConfiguration, logger: Logger) throws -> [any Service] {
        let enabled = try httpCreate && (environment("HTTP_CREATE", as: Bool.self) ?? true)
        guard enabled else { return [] }
        let port = try httpPort ?? environment("HTTP_PORT", as: Int.self) ?? 8080
        let timeout = try publishTimeoutMs ?? environment("PUBLISH_TIMEOUT_MS", as: Int.self) ?? 5_000
        let window = try idempotencyWindow ?? environment("IDEMPOTENCY_WINDOW", as: Int.self) ?? 100_000
        guard (0...65_535).contains(port) else { throw ValidationError("--http-port must be 0…65535") }
        guard timeout > 0 else { throw ValidationError("--publish-timeout-ms must be positive") }
        guard window >= 0 else { throw ValidationError("--idempotency-window must not be negative") }

        let publisher = try EntityPublisher(
            kafka: worker.kafka, topic: worker.topics.output, deliveryTimeout: .milliseconds(timeout), logger: logger)
        let endpoint = UserSecurityProfilesEndpoint(
            publisher: publisher,
            configuration: .init(maximumBodySize: worker.maximumBodySize, idempotencyWindow: window))
        let router = Router()
        endpoint.addRoutes(to: router)
        let host = httpHost ?? environment("HTTP_HOST") ?? "0.0.0.0"
        let application = Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [LingeringCloseHandler()])),
            configuration: .init(address: .hostname(host, port: port), serverName: "usp-worker"),
            onServerRunning: { channel in
                logger.info("HTTP listener started", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? host)"])
            },
            logger: logger)
        return [publisher, application]
    }
}
