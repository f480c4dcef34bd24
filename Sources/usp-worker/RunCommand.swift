import ArgumentParser
import HTTPListener
import Kafka
import Logging
import ServiceLifecycle
import Synchronization
import Worker

/// `usp-worker run`: the worker, in a consumer group, until stopped or caught up.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Consume creation events, publish entities and dead letters, commit.")

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var topics: TopicOptions

    @Option(help: "Consumer group id (env USP_GROUP).")
    var group: String?

    @Flag(
        help:
            "Exit 0 once the group's committed offsets reach the input's high watermarks taken at start (env USP_UNTIL_CAUGHT_UP=true)."
    )
    var untilCaughtUp = false

    @Option(
        help:
            "Unacknowledged records at most; at the cap the worker takes no more until some are acknowledged (env USP_MAX_IN_FLIGHT)."
    )
    var maxInFlight: Int?

    @Option(
        help: ArgumentHelp(
            "Bytes the unacknowledged records may hold, default 64 MiB; librdkafka's prefetch and producer "
                + "queue are sized from it (env USP_MAX_IN_FLIGHT_BYTES)."))
    var maxInFlightBytes: Int?

    @Option(
        help:
            "Threads that run the pipeline, each for its share of the partitions; default one a core (env USP_PROCESSING_THREADS)."
    )
    var processingThreads: Int?

    @Option(help: "Milliseconds between offset commits (env USP_COMMIT_INTERVAL_MS).")
    var commitIntervalMs: Int?

    @Option(help: "Seconds a drain may take on SIGTERM or revoke (env USP_SHUTDOWN_TIMEOUT).")
    var shutdownTimeout: Int?

    @Option(help: "Largest inbound value in bytes; larger ones get 413 (env USP_MAX_BODY_SIZE).")
    var maxBodySize: Int?

    @OptionGroup var http: HTTPOptions

    @OptionGroup(title: "Authentication") var authentication: AuthenticationOptions

    @OptionGroup var logging: LoggingOptions

    func workerConfiguration() throws -> WorkerConfiguration {
        let defaults = WorkerConfiguration()
        let maxInFlight = try positive("--max-in-flight", self.maxInFlight, environment: "MAX_IN_FLIGHT")
        let commitIntervalMs = try positive(
            "--commit-interval-ms", self.commitIntervalMs, environment: "COMMIT_INTERVAL_MS")
        let shutdownTimeout = try positive("--shutdown-timeout", self.shutdownTimeout, environment: "SHUTDOWN_TIMEOUT")
        let maxBodySize = try positive("--max-body-size", self.maxBodySize, environment: "MAX_BODY_SIZE")
        let processingThreads = try positive(
            "--processing-threads", self.processingThreads, environment: "PROCESSING_THREADS")
        let maxInFlightBytes = try positive(
            "--max-in-flight-bytes", self.maxInFlightBytes, environment: "MAX_IN_FLIGHT_BYTES")
        var configuration = WorkerConfiguration(
            topics: topics.topics,
            kafka: try kafka.kafkaConfiguration(),
            groupID: group ?? environment("GROUP") ?? defaults.groupID,
            untilCaughtUp: try untilCaughtUp || (environment("UNTIL_CAUGHT_UP", as: Bool.self) ?? false),
            maxInFlight: maxInFlight ?? defaults.maxInFlight,
            commitInterval: commitIntervalMs.map { .milliseconds($0) } ?? defaults.commitInterval,
            shutdownTimeout: shutdownTimeout.map { .seconds($0) } ?? defaults.shutdownTimeout,
            maximumBodySize: maxBodySize ?? defaults.maximumBodySize)
        configuration.processingThreads = processingThreads ?? defaults.processingThreads
        configuration.maxInFlightBytes = maxInFlightBytes ?? defaults.maxInFlightBytes
        // Before anything starts (the HTTP create endpoint shares these properties).
        try configuration.checkGuarantees()
        return configuration
    }

    /// The flag's value, else the environment's (`USP_` + `name`); nil when neither is set.
    /// - Throws: when the value is not positive, naming the flag.
    private func positive(_ flag: String, _ value: Int?, environment name: String) throws -> Int? {
        let value = try value ?? environment(name, as: Int.self)
        if let value, value <= 0 { throw ValidationError("\(flag) must be positive") }
        return value
    }

    func run() async throws {
        var configuration = try workerConfiguration()
        let http = try http.settings()
        let tokens = try authentication.configuration()
        let logger = logging.bootstrap(label: "usp-worker")
        configuration.authentication = try await AuthenticationOptions.eventAuthentication(tokens, logger: logger)
        let summary = try await runWorker(
            configuration, logger: logger, http: http,
            allowUnauthenticatedHTTPCreate: try self.http.allowsUnauthenticatedCreate)
        if configuration.untilCaughtUp, let summary {
            print("summary: \(summary)")
        }
    }
}

/// Runs a worker, with its HTTP listener unless `http` is nil, under a
/// service group that turns SIGTERM and SIGINT into a graceful drain. Returns
/// the summary; throws when the worker failed or the listener could not start.
///
/// Without authentication (`--auth none`) it refuses to serve the HTTP create endpoint
/// unless `allowUnauthenticatedHTTPCreate` says so: that endpoint would take creates from
/// anyone who reaches the port. Every caller says which it wants.
///
/// The group stops its services in reverse order: the worker drains first
/// while `/readyz` says so, then the listener stops taking requests, then the
/// HTTP create endpoint's publisher delivers what it still holds.
func runWorker(
    _ configuration: WorkerConfiguration, logger: Logger, http: HTTPSettings? = nil,
    allowUnauthenticatedHTTPCreate: Bool
) async throws -> WorkerSummary? {
    if case .none = configuration.authentication {
        let exposure = UnauthenticatedExposure(
            inputTopic: configuration.topics.input, createListener: http?.create == nil ? nil : http?.address)
        if exposure.createListener != nil, !allowUnauthenticatedHTTPCreate { throw exposure.refusal }
        for warning in exposure.warnings { logger.warning("\(warning)") }
    }
    var services: [any Service] = []
    let worker: Worker
    if let http {
        let observed = ObservedWorker(
            configuration: configuration, logger: logger, stuckPartitionTimeout: http.stuckPartitionTimeout)
        worker = observed.worker
        let tls = try http.listenerTLS(logger: logger)
        let create = try http.create.map { try CreateEndpoint(settings: $0, worker: configuration, logger: logger) }
        if let create { services.append(create.publisher) }
        services.append(
            HTTPListenerService(
                address: http.address, routes: observed.routes, logger: logger,
                http1: create?.http1Configuration ?? .init(), tls: tls,
                mountRoutes: { router in create?.endpoint.addRoutes(to: router) }))
    } else {
        worker = Worker(configuration: configuration, logger: logger)
    }
    let result = Mutex<WorkerSummary?>(nil)
    services.append(WorkerService(worker: worker) { summary in result.withLock { $0 = summary } })
    services.append(ShutdownWatchdog(bound: configuration.shutdownTimeout))
    let group = ServiceGroup(
        configuration: ServiceGroupConfiguration(
            services: services.map {
                .init(
                    service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    try await group.run()
    return result.withLock { $0 }
}
