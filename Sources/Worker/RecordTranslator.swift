import Authentication
import CreatePipeline
import Kafka
import OutboundRecords

/// Turns an inbound creation event into what the contract says to publish
/// ("Outbound records"), through the shared create pipeline.
///
/// Everything it produces is a function of the record alone (its bytes,
/// headers, coordinates and timestamp): a redelivered record yields
/// byte-identical outputs, dead letters included, so downstream can
/// deduplicate and a compacted topic holds each entity once. With bearer
/// tokens, the clock too: a token that expired before a redelivery makes it 401.
///
/// With bearer tokens the checks run in this order: the token (401) and its
/// permission (403), before the body is read, so a record that does not
/// authenticate is never parsed; then the body (413, 400); then whether the
/// caller may write for the body's tenant and vendor (403).
struct RecordTranslator: Sendable {
    let pipeline: CreatePipeline
    let topics: WorkerConfiguration.Topics
    var authentication: EventAuthentication = .none
    /// Dead letters larger than this leave out parts (``DeadLetterFitting``).
    var deadLetterLimit = DeadLetterLimit(
        MessageSizeLimits(maximumBodySize: CreatePipeline.defaultMaximumBodySize).producerMessageMaxBytes)

    func translate(_ record: InboundRecord) -> OutboundRecord {
        let context = context(for: record)
        let caller: Caller?
        switch authenticate(record) {
        case .success(let authenticated): caller = authenticated
        case .failure(let denial): return deadLetter(for: record, error: denial.graphError, context: context)
        }
        let result = record.withValue { value in
            pipeline.create(value ?? UnsafeRawBufferPointer(start: nil, count: 0), context: context)
        }
        switch result {
        case .created(let entity):
            if let caller, let denial = authorize(caller, toCreate: entity) {
                return deadLetter(for: record, error: denial.graphError, context: context)
            }
            return entityRecord(entity, context: context, inbound: record)
        case .rejected(let error):
            return deadLetter(for: record, error: error, context: context)
        }
    }

    /// The record's caller, when tokens are checked (nil when they are not): one
    /// `authorization` header with a valid bearer token granting the permission.
    private func authenticate(_ record: InboundRecord) -> Result<Caller?, AccessDenied> {
        guard case .bearerToken(let access) = authentication else { return .success(nil) }
        guard record.headerCount("authorization") <= 1 else { return .failure(.repeatedAuthorizationHeader) }
        do throws(AccessDenied) {
            let caller = try access.authenticate(authorization: record.headerValue("authorization"))
            try access.authorize(caller)
            return .success(caller)
        } catch {
            return .failure(error)
        }
    }

    /// Why the caller may not create this entity (another tenant, a vendor not allowed), if so.
    private func authorize(_ caller: Caller, toCreate entity: CreatedEntity) -> AccessDenied? {
        guard case .bearerToken(let access) = authentication else { return nil }
        do throws(AccessDenied) {
            try access.authorize(caller, tenantID: entity.azureTenantId, vendor: entity.vendor)
            return nil
        } catch {
            return error
        }
    }

    /// The dead letter for a record: its key, value and headers (minus
    /// `authorization`) byte for byte, so it can be replayed after a fix,
    /// plus the error and where the record came from; parts left out, in the
    /// contract's order, when it would be larger than ``deadLetterLimit``.
    func deadLetter(for record: InboundRecord, error: GraphError) -> OutboundRecord {
        deadLetter(for: record, error: error, context: context(for: record))
    }

    /// The next smaller letter after one the broker refused for its size; nil when
    /// nothing more can be left out.
    func smallerDeadLetter(for record: InboundRecord, after attempt: DeadLetterAttempt) -> OutboundRecord? {
        guard let shape = attempt.shape.smaller else { return nil }
        return deadLetter(for: record, error: attempt.error, context: context(for: record), from: shape)
    }

    private func deadLetter(
        for record: InboundRecord, error: GraphError, context: CreateContext, from shape: DeadLetterShape = .whole
    ) -> OutboundRecord {
        let parts = DeadLetterFitting.Parts(
            key: record.key, value: record.value, inboundHeaders: record.headersWithoutAuthorization, error: error,
            context: context, sourceTopic: topics.input, sourcePartition: record.partition, sourceOffset: record.offset)
        let letter = DeadLetterFitting.fit(parts, limit: deadLetterLimit.bytes, from: shape)
        return OutboundRecord(
            kind: .deadLetter(status: error.status, code: error.code), topic: topics.deadLetter,
            key: letter.key, value: letter.value, headers: letter.headers,
            deadLetter: DeadLetterAttempt(error: error, shape: letter.shape))
    }

    private func entityRecord(_ entity: CreatedEntity, context: CreateContext, inbound: InboundRecord) -> OutboundRecord
    {
        let record = CreatedEntityRecord(
            entity: entity, requestID: context.requestID, requestHeader: inbound.headerValue)
        return OutboundRecord(
            kind: .entity, topic: topics.output, key: record.key, value: record.value, headers: record.headers)
    }

    /// The pipeline's context: the idempotency basis from the header or the
    /// record's coordinates; event and response time from the record's
    /// timestamp; a request id derived from the coordinates.
    func context(for record: InboundRecord) -> CreateContext {
        let time = record.timestampMilliseconds.map(GraphTimestamp.init(unixMilliseconds:)) ?? .now()
        let basis: IdempotencyBasis =
            if let key = record.headerValue("idempotency-key"), !key.isEmpty {
                .idempotencyKey(key)
            } else {
                .record(topic: topics.input, partition: record.partition, offset: record.offset)
            }
        return CreateContext(
            idempotencyBasis: basis,
            eventTime: time,
            requestID: GUID.nameBased(
                "request-id", topic: topics.input, partition: record.partition, offset: record.offset),
            clientRequestID: record.headerValue("client-request-id"),
            responseTime: time)
    }
}

extension GraphError {
    /// The broker refused the entity for something about the record itself
    /// (too large for the output topic, say): the record is dead-lettered
    /// with this error so it can be replayed once the topic allows it.
    static func entityNotPublished(_ message: String) -> GraphError {
        GraphError(status: 500, code: "EntityNotPublished", message: message)
    }
}
