import CreatePipeline
import Kafka

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
    /// Records consumed but not yet acknowledged, at most; above it the
    /// worker pauses its partitions instead of buffering more.
    public var maxInFlight: Int
    /// How often acknowledged offsets are committed.
    public var commitInterval: Duration
    /// How long a SIGTERM drain, or a revoked partition's drain, may take.
    public var shutdownTimeout: Duration
    /// Inbound values above this size are rejected with 413 unparsed.
    public var maximumBodySize: Int
    /// Whether and how each record's bearer token is checked. `.none` unless given: the
    /// caller chooses (`usp-worker run` chooses bearer tokens unless told `--auth none`).
    public var authentication: EventAuthentication

    public init(
        topics: Topics = Topics(),
        kafka: KafkaConfiguration = KafkaConfiguration(),
        groupID: String = "usp-worker",
        untilCaughtUp: Bool = false,
        maxInFlight: Int = 20_000,
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

    /// The consumer's properties: the user's, plus what the worker needs beyond
    /// the Kafka layer's own defaults (manual commits, cooperative-sticky).
    var consumerConfiguration: KafkaConfiguration {
        var configuration = kafka
        configuration.groupID = groupID
        configuration.setDefault("auto.offset.reset", "earliest")
        // The prefetch queue keeps librdkafka's own bound (queued.max.messages.kbytes,
        // 64 MiB): a quarter of it halved the worker's throughput on the embedded cluster.
        return configuration
    }

    /// The producer's properties: the user's, plus a queue sized to the
    /// in-flight cap; idempotence and `acks=all` are the Kafka layer's defaults.
    var producerConfiguration: KafkaConfiguration {
        var configuration = kafka
        // The user's properties serve both clients; the consumer's own ones would
        // only make librdkafka warn in the producer.
        for key in Self.consumerOnlyKeys { configuration[key] = nil }
        // Each record in flight has at most one output queued at a time (its
        // entity, or later its dead letter), so this queue never fills: a dead
        // letter enqueued from the delivery thread must never wait for room
        // that only that thread's reports could make.
        configuration.setDefault("queue.buffering.max.messages", String(maxInFlight + 1_000))
        return configuration
    }
}

extension WorkerConfiguration {
    /// Group and fetch properties, which a producer ignores with a warning.
    static let consumerOnlyKeys = [
        "group.id", "group.instance.id", "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms",
        "partition.assignment.strategy", "group.protocol.type", "auto.offset.reset", "enable.auto.commit",
        "auto.commit.interval.ms", "enable.auto.offset.store", "queued.min.messages", "queued.max.messages.kbytes",
        "fetch.wait.max.ms", "fetch.message.max.bytes", "fetch.max.bytes", "fetch.min.bytes",
        "fetch.error.backoff.ms", "isolation.level", "enable.partition.eof", "check.crcs", "offset.store.method",
    ]
}

extension KafkaConfiguration {
    mutating func setDefault(_ key: String, _ value: String) {
        if self[key] == nil { self[key] = value }
    }
}
