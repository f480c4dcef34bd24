/// What the pipeline needs to know about one create request besides its body.
public struct CreateContext: Sendable {
    /// Where the entity's id comes from.
    public var idempotencyBasis: IdempotencyBasis
    /// `createdDateTime` and `lastModifiedDateTime` when the body does not send them
    /// (the Kafka record's timestamp), so a redelivered record yields the same entity.
    public var eventTime: GraphTimestamp
    /// A lowercase GUID naming this request; an error's `innerError.request-id`.
    public var requestID: String
    /// The caller's `client-request-id`, echoed in an error's `innerError`.
    public var clientRequestID: String?
    /// When the response is produced; an error's `innerError.date`.
    public var responseTime: GraphTimestamp

    public init(
        idempotencyBasis: IdempotencyBasis,
        eventTime: GraphTimestamp,
        requestID: String,
        clientRequestID: String? = nil,
        responseTime: GraphTimestamp
    ) {
        self.idempotencyBasis = idempotencyBasis
        self.eventTime = eventTime
        self.requestID = requestID
        self.clientRequestID = clientRequestID
        self.responseTime = responseTime
    }
}
