extension KafkaConfiguration {
    /// Group and fetch properties: a producer ignores them, with a warning from librdkafka.
    public static let consumerOnlyKeys = [
        "group.id", "group.instance.id", "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms",
        "partition.assignment.strategy", "group.protocol.type", "auto.offset.reset", "enable.auto.commit",
        "auto.commit.interval.ms", "enable.auto.offset.store", "queued.min.messages", "queued.max.messages.kbytes",
        "fetch.wait.max.ms", "fetch.message.max.bytes", "fetch.max.bytes", "fetch.min.bytes",
        "fetch.error.backoff.ms", "isolation.level", "enable.partition.eof", "check.crcs", "offset.store.method",
    ]

    /// A copy without ``consumerOnlyKeys``: one set of user properties can serve a consumer
    /// and a producer without librdkafka warning about the consumer's in the producer.
    public func removingConsumerProperties() -> KafkaConfiguration {
        var copy = self
        for key in Self.consumerOnlyKeys { copy[key] = nil }
        return copy
    }
}
