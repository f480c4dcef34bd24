/// The outcome of one produced message, as the broker acknowledged it (or not).
///
/// A plain value of integers (the error is kept as its code), so that handing one
/// report per message to `onDelivery` copies a few words and allocates nothing.
public struct DeliveryReport: Sendable, Hashable {
    /// The value the caller passed to `produce(…, opaque:)`.
    public var opaque: UInt64
    /// The partition the message went to (or was meant for).
    public var partition: Int32
    /// The message's offset in its partition; -1001 when it was not written.
    public var offset: Int64
    /// `.noError` when the message was written and acknowledged (`acks`).
    public var errorCode: KafkaErrorCode
    /// Microseconds from `produce` to this report (librdkafka's
    /// `rd_kafka_message_latency`); -1 when unknown.
    public var latencyMicroseconds: Int64
    /// Whether the message is in the log: after a failure, whether it may be anyway
    /// (librdkafka's `rd_kafka_message_status`).
    public var persistence: MessagePersistence

    /// `nil` when the message was written and acknowledged; otherwise the error for
    /// `errorCode` (name, librdkafka's text, retriable or not).
    public var error: KafkaError? {
        get { errorCode == .noError ? nil : KafkaError(code: errorCode) }
        set { errorCode = newValue?.code ?? .noError }
    }

    public init(opaque: UInt64, partition: Int32, offset: Int64, error: KafkaError?) {
        self.init(opaque: opaque, partition: partition, offset: offset, errorCode: error?.code ?? .noError)
    }

    /// - Parameter persistence: when nil, `.persisted` without an error and `.notPersisted` with one.
    public init(
        opaque: UInt64, partition: Int32, offset: Int64, errorCode: KafkaErrorCode, latencyMicroseconds: Int64 = -1,
        persistence: MessagePersistence? = nil
    ) {
        self.opaque = opaque
        self.partition = partition
        self.offset = offset
        self.errorCode = errorCode
        self.latencyMicroseconds = latencyMicroseconds
        self.persistence = persistence ?? (errorCode == .noError ? .persisted : .notPersisted)
    }

    /// The time from `produce` to this report, when librdkafka measured it.
    public var latency: Duration? {
        latencyMicroseconds >= 0 ? .microseconds(latencyMicroseconds) : nil
    }
}
