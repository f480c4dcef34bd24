import Kafka

/// What `usp-worker replay` needs, after flags and environment were read.
public struct ReplayConfiguration: Sendable {
    /// Where the letters are read.
    public var deadLetterTopic: String
    /// Where they are sent back to.
    public var inputTopic: String
    /// librdkafka properties (brokers, TLS, SASL…), as for `usp-worker run`.
    public var kafka: KafkaConfiguration
    /// Which letters are sent back.
    public var filter: ReplayFilter
    /// The consumer group whose committed offsets say where the next replay
    /// starts; `nil` for ``ReplayFilter/defaultGroup``.
    public var group: String?
    /// Count what would be replayed; produce and commit nothing.
    public var dryRun: Bool
    /// Headers added to every replayed record, e.g. an `authorization` for
    /// workers that verify tokens (the worker never keeps one in a dead letter).
    public var extraHeaders: [KafkaHeader]
    /// Letters sent between two commits: each batch is acknowledged in full
    /// before its offsets are committed.
    public var batchSize: Int
    /// How long the replay waits without a record before it gives up on
    /// partitions that are short of their end offset.
    public var stallTimeout: Duration
    /// How often `progress` is called.
    public var progressInterval: Duration

    /// A configuration that replays every letter, in the filter's default
    /// group, 10,000 letters a batch.
    public init(
        deadLetterTopic: String,
        inputTopic: String,
        kafka: KafkaConfiguration,
        filter: ReplayFilter = ReplayFilter(),
        group: String? = nil,
        dryRun: Bool = false,
        extraHeaders: [KafkaHeader] = [],
        batchSize: Int = 10_000,
        stallTimeout: Duration = .seconds(60),
        progressInterval: Duration = .seconds(10)
    ) {
        self.deadLetterTopic = deadLetterTopic
        self.inputTopic = inputTopic
        self.kafka = kafka
        self.filter = filter
        self.group = group
        self.dryRun = dryRun
        self.extraHeaders = extraHeaders
        self.batchSize = batchSize
        self.stallTimeout = stallTimeout
        self.progressInterval = progressInterval
    }

    /// The group actually used.
    public var groupID: String { group ?? filter.defaultGroup }
}
