import CreatePipeline
import Kafka

import class Foundation.ProcessInfo

/// Everything `usp-worker run` needs to know, after flags, environment and
/// properties files have been read.
public struct WorkerConfiguration: Sendable {
    /// The three topics of the contract; every name is configurable.
    public struct Topics: Sendable, Hashable {
        public var input: String
        public var output: String
        public var deadLetter: String

        public init(
            input: String = "userSecurityProfiles.create",
            output: String = "userSecurityProfiles.created",
            deadLetter: String = "userSecurityProfiles.create.dlq"
        ) {
            self.input = input
            self.output = output
            self.deadLetter = deadLetter
        }
    }

    public var topics: Topics
    /// librdkafka properties shared by the consumer and the producer
    /// (`bootstrap.servers`, TLS, SASL…); `group.id` is taken by the consumer only.
    public var kafka: KafkaConfiguration
    public var groupID: String
    /// Stop once the group's committed offsets reach the high watermarks the
    /// input topic had at start.
    public var untilCaughtUp: Bool
    /// Records consumed but not yet acknowledged, at most; at the cap the
    /// worker takes no more until acknowledgements make room.
    public var maxInFlight: Int
    /// Records the partitions' windows may hold: the in-flight cap four times over. A
    /// record acknowledged behind an earlier one of its partition waits in its window
    /// until that one is acknowledged too. It does not count against ``maxInFlight``
    /// (its copy is dropped when it is acknowledged, and its entry takes about 100
    /// bytes), but a record whose output stays unacknowledged, its output partition's
    /// leader down, must not let the windows grow without bound.
    public var maxWindowedRecords: Int { maxInFlight > Int.max / 4 ? Int.max : maxInFlight * 4 }
    /// Bytes the records consumed but not yet acknowledged may hold (see
    /// ``InFlightBudget``); librdkafka's prefetch and producer queue are sized from it.
    public var maxInFlightBytes: Int = InFlightBudget.defaultBytes
    /// How often acknowledged offsets are committed.
    public var commitInterval: Duration
    /// How long a SIGTERM drain, or a revoked partition's drain, may take.
    public var shutdownTimeout: Duration
    /// Inbound values above this size are rejected with 413 unparsed.
    public var maximumBodySize: Int
    /// Threads that run the pipeline and publish, each for its share of the
    /// partitions (one core each, by default all of them).
    public var processingThreads: Int = Self.defaultProcessingThreads

    /// One processing thread a core.
    public static var defaultProcessingThreads: Int { ProcessInfo.processInfo.activeProcessorCount }
    /// Whether and how each record's bearer token is checked. `.none` unless given: the
    /// caller chooses (`usp-worker run` chooses bearer tokens unless told `--auth none`).
    public var authentication: EventAuthentication

    public init(
        topics: Topics = Topics(),
        kafka: KafkaConfiguration = KafkaConfiguration(),
        groupID: String = "usp-worker",
        untilCaughtUp: Bool = false,
        maxInFlight: Int = 5_000,
        commitInterval: Duration = .milliseconds(500),
        shutdownTimeout: Duration = .seconds(30),
        maximumBodySize: Int = CreatePipeline.defaultMaximumBodySize,
        authentication: EventAuthentication = .none
    ) {
        self.topics = topics
        self.kafka = kafka
        self.groupID = groupID
        self.untilCaughtUp = untilCaughtUp
        self.maxInFlight = maxInFlight
        self.commitInterval = commitInterval
        self.shutdownTimeout = shutdownTimeout
        self.maximumBodySize = maximumBodySize
        self.authentication = authentication
    }

    /// The producer's `message.max.bytes` and what follows from it for the topics.
    public var messageSizeLimits: MessageSizeLimits {
        MessageSizeLimits(
            maximumBodySize: maximumBodySize, configuredMessageMaxBytes: kafka.messageMaxBytes)
    }

    /// The byte budget and the librdkafka sizes derived from it.
    public var inFlightBudget: InFlightBudget {
        InFlightBudget(
            bytes: maxInFlightBytes, records: maxInFlight,
            messageMaxBytes: messageSizeLimits.producerMessageMaxBytes,
            consumerMessageMaxBytes: kafka.messageMaxBytes ?? 1_000_000)
    }

    /// Refuses properties that would weaken the delivery promises (``DeliveryGuarantees``).
    public func checkGuarantees() throws(WorkerConfigurationError) {
        try DeliveryGuarantees.check(kafka)
    }

    /// The consumer's properties: the user's, plus what the worker needs beyond
    /// the Kafka layer's own defaults (cooperative-sticky).
    var consumerConfiguration: KafkaConfiguration {
        var configuration = kafka
        configuration.groupID = groupID
        configuration.setDefault("auto.offset.reset", "earliest")
        // Commits: the worker stores each partition's acknowledged prefix and
        // librdkafka's committer sends it, every commit interval while the member
        // is steady in its group, and when a partition is released (see
        // `KafkaConsumer.storeOffsets`). Not the user's to change: automatic
        // storing would commit records before their output is acknowledged
        // (`enable.auto.offset.store=true` is refused at start).
        configuration["enable.auto.commit"] = "true"
        configuration["enable.auto.offset.store"] = "false"
        configuration["auto.commit.interval.ms"] = String(max(1, commitInterval.milliseconds))
        // Prefetch sized from the byte budget; the default budget keeps librdkafka's own
        // queue bound (queued.max.messages.kbytes, 64 MiB): a quarter of it halved the
        // worker's throughput on the embedded cluster.
        inFlightBudget.applyConsumerSizes(to: &configuration)
        return configuration
    }

    /// The producer's properties: the user's, plus a queue sized to the
    /// in-flight cap; idempotence and `acks=all` are the Kafka layer's defaults.
    var producerConfiguration: KafkaConfiguration {
        // The user's properties serve both clients; the consumer's own ones would
        // only make librdkafka warn in the producer.
        var configuration = kafka.withoutConsumerOnlyProperties
        // Each record in flight has at most one output queued at a time (its
        // entity, or later its dead letter), so this queue never fills: a dead
        // letter enqueued from the delivery thread must never wait for room
        // that only that thread's reports could make.
        configuration.setDefault("queue.buffering.max.messages", String(maxInFlight + 1_000))
        // Every entity of a body up to the limit is publishable (librdkafka's default,
        // 1,000,000 bytes, is below the 1 MiB body limit).
        configuration.setDefault("message.max.bytes", String(messageSizeLimits.producerMessageMaxBytes))
        // One produce request a broker at a time, carrying every partition's ready batch.
        // librdkafka 2.0.2's idempotent producer keeps only one request a partition in flight
        // anyway, and while a ready batch waits behind it the broker thread polls its sockets
        // without sleeping; with one a connection it sleeps (docs/performance.md, "What
        // limits the worker", has the figures).
        if configuration["max.in.flight.requests.per.connection"] == nil, configuration["max.in.flight"] == nil {
            configuration["max.in.flight.requests.per.connection"] = "1"
        }
        inFlightBudget.applyProducerSizes(to: &configuration)
        return configuration
    }
}

extension KafkaConfiguration {
    mutating func setDefault(_ key: String, _ value: String) {
        if self[key] == nil { self[key] = value }
    }
}
