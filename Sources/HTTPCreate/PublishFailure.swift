import Kafka

/// Why an entity was not acknowledged, and whether it may be on the outbound topic anyway.
struct PublishFailure: Error, Sendable {
    /// librdkafka's error (`QUEUE_FULL`, `_MSG_TIMED_OUT`, a broker's refusal, a purge…).
    var error: KafkaError
    /// librdkafka's verdict (`rd_kafka_message_status`): the record was sent and no answer
    /// came, so the broker may have written it. False when it certainly was not written.
    var mayHaveBeenWritten: Bool
}
