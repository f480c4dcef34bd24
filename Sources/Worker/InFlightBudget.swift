import Kafka

/// The worker's memory bound in bytes (`--max-in-flight-bytes`), beside its bound
/// in records (`--max-in-flight`), and the librdkafka sizes that follow from it.
///
/// What a worker holds: records librdkafka prefetched (its queue, plus one fetch
/// response that may overshoot it), records taken and not yet acknowledged (the
/// worker's copy of each, until its output is acknowledged), and their outputs in
/// the producer's queue. The worker takes no record while those taken hold the
/// budget or more, so they stay under the budget plus the last record taken; a
/// record larger than the whole budget is still taken, when the budget has room for
/// anything, and nothing is taken after it until it is acknowledged.
public struct InFlightBudget: Sendable, Equatable {
    /// 64 MiB: librdkafka's own prefetch bound (`queued.max.messages.kbytes`), so the
    /// default changes nothing for small events.
    public static let defaultBytes = 64 * 1024 * 1024
    /// librdkafka's `fetch.max.bytes` default, the most one fetch response brings.
    static let largestFetch = 52_428_800

    /// Bytes the records taken and not yet acknowledged may hold.
    public let bytes: Int
    /// `--max-in-flight`.
    public let records: Int
    /// The producer's `message.max.bytes`: the largest output.
    public let messageMaxBytes: Int
    /// The consumer's `message.max.bytes` (librdkafka's 1,000,000 unless set), which
    /// librdkafka wants `fetch.max.bytes` to be at least.
    public let consumerMessageMaxBytes: Int

    public init(bytes: Int, records: Int, messageMaxBytes: Int, consumerMessageMaxBytes: Int = 1_000_000) {
        self.bytes = max(1, bytes)
        self.records = max(1, records)
        self.messageMaxBytes = messageMaxBytes
        self.consumerMessageMaxBytes = consumerMessageMaxBytes
    }

    /// `queued.max.messages.kbytes`: librdkafka's prefetch queue holds at most the budget.
    public var prefetchKilobytes: Int { max(1, (bytes + 1023) / 1024) }

    /// `max.partition.fetch.bytes`: a record of the largest valid body comes whole in
    /// one fetch (librdkafka's default, 1 MiB, is below it).
    public var partitionFetchBytes: Int { max(1_048_576, messageMaxBytes) }

    /// `fetch.max.bytes`: a quarter of the budget, so one response overshooting the
    /// prefetch queue adds at most that; at least one partition's fetch and the
    /// consumer's `message.max.bytes`, at most librdkafka's default.
    public var fetchBytes: Int {
        max(min(bytes / 4, Self.largestFetch), partitionFetchBytes, consumerMessageMaxBytes)
    }

    /// `queue.buffering.max.kbytes`: the producer's queue holds the outputs of records in
    /// flight, each at most its record's value plus what an entity adds; twice that, so
    /// that a dead letter enqueued from the delivery thread (while the refused entity it
    /// replaces still counts) never waits for room only that thread could make.
    public var producerQueueKilobytes: Int {
        let outputs = bytes + messageMaxBytes + records * 512
        return max(1, (2 * outputs + 1023) / 1024)
    }

    /// The consumer properties sized from the budget, each only when the user did not set it.
    func applyConsumerSizes(to configuration: inout KafkaConfiguration) {
        configuration.setDefault("queued.max.messages.kbytes", String(prefetchKilobytes))
        configuration.setDefault("fetch.max.bytes", String(fetchBytes))
        if configuration["max.partition.fetch.bytes"] == nil, configuration["fetch.message.max.bytes"] == nil {
            configuration["max.partition.fetch.bytes"] = String(partitionFetchBytes)
        }
    }

    /// The producer properties sized from the budget, each only when the user did not set it.
    func applyProducerSizes(to configuration: inout KafkaConfiguration) {
        configuration.setDefault("queue.buffering.max.kbytes", String(producerQueueKilobytes))
    }
}
