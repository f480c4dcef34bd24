/// How large the worker's outputs may be, and what the output topics must accept
/// for that (the contract's "Outbound records": size never stops a partition).
///
/// librdkafka refuses to enqueue a record whose key, value and headers, plus 36
/// bytes of record framing, exceed the producer's `message.max.bytes`; a broker
/// refuses a batch (61 bytes of framing plus its records) above the topic's
/// `max.message.bytes`. The worker raises the first to fit the largest entity a
/// body up to `--max-body-size` can give, and checks the second at start.
public struct MessageSizeLimits: Sendable, Equatable {
    /// Room for what an entity adds to its body (`@odata.type`, `id`, timestamps: at most
    /// `CreatePipeline.maximumEntitySize(forBodySize: 0)`, 512 bytes), for its headers
    /// (`content-type`, `location`, `request-id`, and the inbound `client-request-id`,
    /// `traceparent` and `tracestate`, a few hundred bytes when well formed) and for the
    /// record's framing. An entity whose inbound headers are larger still is refused by
    /// the producer and dead-lettered (`EntityNotPublished`), never lost.
    public static let entityHeadroom = 32 * 1024
    /// librdkafka's bound of one record's framing (RD_KAFKAP_MESSAGE_V2_MAX_OVERHEAD).
    public static let recordOverhead = 36
    /// A record batch's framing (Kafka's RECORD_BATCH_OVERHEAD), which the broker
    /// counts against the topic's `max.message.bytes`.
    public static let batchOverhead = 61

    /// The producer's `message.max.bytes`: the user's when set, else derived from the body limit.
    public let producerMessageMaxBytes: Int
    /// What the producer's `message.max.bytes` would be by default, for this body limit.
    public let derivedMessageMaxBytes: Int

    /// - Parameters:
    ///   - maximumBodySize: `--max-body-size`.
    ///   - configuredMessageMaxBytes: the user's `message.max.bytes`, if set.
    public init(maximumBodySize: Int, configuredMessageMaxBytes: Int? = nil) {
        derivedMessageMaxBytes = Self.messageMaxBytes(forBodySize: maximumBodySize)
        producerMessageMaxBytes = configuredMessageMaxBytes ?? derivedMessageMaxBytes
    }

    /// The producer's `message.max.bytes` that lets an entity of any body up to
    /// `bodySize` bytes through: 1,081,344 for the default 1 MiB.
    public static func messageMaxBytes(forBodySize bodySize: Int) -> Int {
        bodySize + entityHeadroom
    }

    /// The `max.message.bytes` an output topic needs so that everything the producer
    /// sends it is accepted: 1,081,405 for the default 1 MiB body limit.
    public var requiredTopicMaxMessageBytes: Int { producerMessageMaxBytes + Self.batchOverhead }

    /// The largest dead letter to publish (librdkafka's measure, ``DeadLetterFitting``),
    /// given the dead-letter topic's `max.message.bytes` when the broker told it.
    public func deadLetterLimit(topicMaxMessageBytes: Int?) -> Int {
        guard let topicMaxMessageBytes else { return producerMessageMaxBytes }
        return min(producerMessageMaxBytes, topicMaxMessageBytes - Self.batchOverhead)
    }
}
