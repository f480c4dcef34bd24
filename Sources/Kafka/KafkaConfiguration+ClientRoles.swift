extension KafkaConfiguration {
    /// Group, fetch and offset properties: a producer ignores them, and librdkafka
    /// warns about each one it is given.
    public static let consumerOnlyKeys = [
        "group.id", "group.instance.id", "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms",
        "partition.assignment.strategy", "group.protocol.type", "auto.offset.reset", "enable.auto.commit",
        "auto.commit.interval.ms", "enable.auto.offset.store", "queued.min.messages", "queued.max.messages.kbytes",
        "fetch.wait.max.ms", "fetch.message.max.bytes", "fetch.max.bytes", "fetch.min.bytes",
        "fetch.error.backoff.ms", "isolation.level", "enable.partition.eof", "check.crcs", "offset.store.method",
    ]

    /// This configuration without ``consumerOnlyKeys``: one set of user properties
    /// (brokers, TLS, SASL…) can then serve a producer as well as a consumer.
    public var withoutConsumerOnlyProperties: KafkaConfiguration {
        var copy = self
        for key in Self.consumerOnlyKeys { copy[key] = nil }
        return copy
    }
}
