import CreatePipeline
import HTTPTypes
import Hummingbird
import Kafka
import Logging
import OutboundRecords

/// `POST /security/userSecurityProfiles` (also under `/beta` and `/v1.0`): the API page's
/// operation over HTTP, on the shared create pipeline, publishing to the same outbound
/// topic as the Kafka worker.
///
/// A request is answered in this order: the authorizer, if any, checks the bearer token before
/// anything of the body is read (401/403; the body is left unread, the connection closed and
/// the pipeline never runs); 415 unless the body is `application/json` (UTF-8); 413 when
/// `Content-Length` says the body is over the limit, or once reading passes it (the rest is
/// never read: the connection is closed); the pipeline runs; a rejected body gets the
/// pipeline's 400; the authorizer checks the body's tenant and vendor (403); the entity is
/// published and `201 Created` is answered only once the brokers acknowledged it (`acks=all`);
/// else 504 with the entity's id and `Location` when librdkafka says it may have been written
/// anyway, and 503 with `Retry-After` when it certainly was not.
///
/// Mount it with ``addRoutes(to:)`` on any Hummingbird router; it knows nothing of the rest
/// of the listener.
public struct UserSecurityProfilesEndpoint: Sendable {
    /// Limits and answers of the endpoint.
    public struct Configuration: Sendable {
        /// Bodies larger than this many bytes get 413 (the same default as the worker's `--max-body-size`).
        public var maximumBodySize: Int
        /// Creates with an `Idempotency-Key` whose first time is remembered, at most (the oldest are forgotten first).
        public var idempotencyWindow: Int
        /// The `Retry-After` of a 503, in seconds.
        public var retryAfterSeconds: Int

        /// The defaults are those of `usp-worker run`.
        public init(
            maximumBodySize: Int = CreatePipeline.defaultMaximumBodySize, idempotencyWindow: Int = 100_000,
            retryAfterSeconds: Int = 1
        ) {
            self.maximumBodySize = maximumBodySize
            self.idempotencyWindow = idempotencyWindow
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    /// The collection's address under each prefix Graph serves it at.
    public static let collectionPaths = [
        "/security/userSecurityProfiles", "/beta/security/userSecurityProfiles", "/v1.0/security/userSecurityProfiles",
    ]

    /// The limits it was created with.
    public let configuration: Configuration
    private let pipeline: @Sendable (UnsafeRawBufferPointer, CreateContext) -> CreateResult
    private let publisher: EntityPublisher
    private let authorizer: (any CreateAuthorizer)?
    private let keyedCreateTimes: KeyedCreateTimes

    /// - Parameters:
    ///   - publisher: where entities go; its topic is the outbound topic.
    ///   - authorizer: checks `Authorization`; nil lets every caller in (as `--auth none` does for events).
    public init(
        publisher: EntityPublisher, configuration: Configuration = Configuration(),
        authorizer: (any CreateAuthorizer)? = nil
    ) {
        let pipeline = CreatePipeline(maximumBodySize: configuration.maximumBodySize)
        self.init(publisher: publisher, configuration: configuration, authorizer: authorizer) { body, context in
            pipeline.create(body, context: context)
        }
    }

    /// - Parameter pipeline: runs the create pipeline on a body (tests count its calls).
    init(
        publisher: EntityPublisher, configuration: Configuration, authorizer: (any CreateAuthorizer)?,
        pipeline: @escaping @Sendable (UnsafeRawBufferPointer, CreateContext) -> CreateResult
    ) {
        self.configuration = configuration
        self.pipeline = pipeline
        self.publisher = publisher
        self.authorizer = authorizer
        self.keyedCreateTimes = KeyedCreateTimes(capacity: configuration.idempotencyWindow)
    }

    /// Adds `POST` on ``collectionPaths`` to the router, and a middleware that answers what
    /// the router cannot route in Graph's shape: 404 `NotFound` for other paths, 405
    /// `MethodNotAllowed` (with `Allow: POST`) for other methods on the collection. Paths are
    /// matched without regard to case, as Graph does (`/Security/userSecurityProfiles`).
    ///
    /// The middleware applies to the routes added after this call and to every request no
    /// route matches (Hummingbird applies a router's middleware to its not-found answer).
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.add(middleware: GraphFallbackMiddleware(endpoint: self))
        for path in Self.collectionPaths {
            router.post(RouterPath(path)) { request, context in
                await create(request, logger: context.logger)
            }
        }
    }

    /// Whether `path` (as requested) names the collection: one of ``collectionPaths``,
    /// whatever the case, with or without a trailing `/`.
    static func isCollectionPath(_ path: String) -> Bool {
        var path = Substring(path.lowercased())
        if path.count > 1, path.last == "/" { path = path.dropLast() }
        return lowercasedCollectionPaths.contains(String(path))
    }

    private static let lowercasedCollectionPaths = Set(collectionPaths.map { $0.lowercased() })

    /// The answer to a request on the collection with a method other than POST.
    func methodNotAllowed(_ request: Request) -> Response {
        GraphExchange(request).failed(
            .methodNotAllowed(
                "\(request.method.rawValue) is not supported here; only POST creates a userSecurityProfile."),
            extraHeaders: [.allow: "POST"])
    }

    /// The answer to a request for any other path.
    func notFound(_ request: Request) -> Response {
        GraphExchange(request).failed(
            .notFound(
                "No resource at \(request.uri.path); userSecurityProfiles are created by POST /security/userSecurityProfiles."
            ))
    }

    /// Handles one POST on the collection.
    func create(_ request: Request, logger: Logger) async -> Response {
        let exchange = GraphExchange(request)
        // The token first: a caller without a valid one costs no body read and no parse.
        var profileCheck: ProfileCheck?
        if let authorizer {
            switch await authorizer.admit(authorization: request.headers[.authorization]) {
            case .success(let check): profileCheck = check
            case .failure(let refusal): return exchange.failed(refusal, closingConnection: true)
            }
        }
        let limit = configuration.maximumBodySize
        guard isUTF8JSON(contentType: request.headers[.contentType]) else {
            let sent = request.headers[.contentType].map { "'\($0)'" } ?? "none"
            return exchange.failed(
                .unsupportedMediaType("The body must be application/json (UTF-8); the Content-Type was \(sent)."),
                closingConnection: true)
        }
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            return exchange.failed(.requestEntityTooLarge(size: declared, limit: limit), closingConnection: true)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return exchange.failed(.requestEntityTooLarge(limit: limit), closingConnection: true)
        } catch {
            // The caller went away mid-body; this answer is unlikely to reach anyone.
            return exchange.failed(.badRequest("The request body could not be read."), closingConnection: true)
        }
        let idempotencyKey = request.headers[.idempotencyKey].flatMap { $0.isEmpty ? nil : $0 }
        let basis: IdempotencyBasis = idempotencyKey.map { .idempotencyKey($0) } ?? .named("http:\(exchange.requestID)")
        var entity: CreatedEntity
        switch create(body, exchange.context(basis: basis)) {
        case .rejected(let error): return exchange.failed(error)
        case .created(let created): entity = created
        }
        if let profileCheck {
            // Fails closed: a valid body whose tenant cannot be read is refused, never let through.
            guard let profile = ProfileOwnership(entity: entity.body) else {
                return exchange.failed(.forbidden("The profile's tenant could not be read; the request is refused."))
            }
            if let refusal = profileCheck(profile) { return exchange.failed(refusal) }
        }
        if idempotencyKey != nil {
            // A retry: build the entity again with the first create's time, so it is byte-identical.
            let first = keyedCreateTimes.firstTime(ofEntity: entity.id, proposing: exchange.time)
            if first != exchange.time,
                case .created(let again) = create(body, exchange.context(basis: basis, eventTime: first))
            {
                entity = again
            }
        }
        let record = CreatedEntityRecord(entity: entity, requestID: exchange.requestID) { name in
            HTTPField.Name(name).flatMap { request.headers[$0] }
        }
        if let failure = await publisher.publish(record) {
            return unpublished(failure, entityID: entity.id, exchange: exchange, logger: logger)
        }
        return exchange.created(entity, location: CreatedEntityRecord.location(ofEntityID: entity.id))
    }

    private func create(_ body: ByteBuffer, _ context: CreateContext) -> CreateResult {
        body.withUnsafeReadableBytes { pipeline($0, context) }
    }

    /// 413 for an entity larger than the brokers take; 504 with the id and `Location` for one
    /// that was sent and not confirmed (librdkafka: possibly persisted), so the client looks
    /// before it retries; 503 with `Retry-After` for transient failures that certainly did not
    /// write it (queue full, broker unreachable, timed out before sending); 500 for permanent
    /// refusals (authorization, a fatal producer error), which retrying cannot clear.
    private func unpublished(
        _ failure: PublishFailure, entityID: String, exchange: GraphExchange, logger: Logger
    ) -> Response {
        let error = failure.error
        if error.code == .msgSizeTooLarge {
            return exchange.failed(
                .requestEntityTooLarge("The entity is larger than the outbound topic accepts: \(error.message)"))
        }
        let location = CreatedEntityRecord.location(ofEntityID: entityID)
        var metadata: Logger.Metadata = [
            "request-id": "\(exchange.requestID)", "code": "\(error.code.name)", "topic": "\(publisher.topic)",
        ]
        if failure.mayHaveBeenWritten {
            metadata["id"] = "\(entityID)"
            logger.warning("entity sent but not confirmed, it may have been written; answered 504", metadata: metadata)
            return exchange.failed(
                .gatewayTimeout(
                    "The entity was sent to the brokers but not confirmed in time (\(error.code.name)); it may have "
                        + "been created as \(entityID). Look for it before retrying; a retry with the same "
                        + "Idempotency-Key gets the same id.",
                    entityID: entityID),
                extraHeaders: [.location: location])
        }
        // The Kafka layer's classification decides: a refusal that retrying cannot clear
        // (authorization, a fatal producer) is the service's fault, not the client's.
        // Purged is the producer shutting down: another instance can take the retry.
        let retryable = error.isTransient || error.code == .purgeQueue || error.code == .purgeInflight
        guard retryable else {
            logger.error("entity refused for good by the brokers; answered 500", metadata: metadata)
            return exchange.failed(
                GraphError(
                    status: 500, code: "EntityNotPublished",
                    message: "The service cannot publish entities (\(error.code.name)); an operator must fix it."))
        }
        logger.warning("entity not published; answered 503", metadata: metadata)
        return exchange.failed(
            .serviceUnavailable("The entity could not be published (\(error.code.name)); retry later."),
            extraHeaders: [.retryAfter: String(configuration.retryAfterSeconds)])
    }
}
