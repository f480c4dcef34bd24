import CreatePipeline
import Foundation
@_spi(Testing) import Kafka
import Logging
import SampleEvents
import Synchronization
import Testing
import Worker

/// A cluster with the worker's three topics (under names unique to the test), and what the
/// test suites do with it: configure clients and workers, load events, read topics back,
/// count what they hold, and audit outputs against the contract.
public final class KafkaTestBed: Sendable {
    /// The cluster in this process, for beds made on one; a bed on a
    /// `usp-worker broker` process has none.
    private let inProcessCluster: EmbeddedKafkaCluster?
    public let bootstrapServers: String
    public let topics: WorkerConfiguration.Topics
    /// Partitions of the input topic; `load` spreads events over them.
    public let partitions: Int32
    /// How `load` compresses: the embedded cluster keeps 5 MiB a partition,
    /// counted as stored, so compressed loads keep more events.
    private let loadCompression: String?

    /// A bed on an embedded cluster of one broker in this process, topic names starting with `prefix`.
    public init(
        prefix: String = "", partitions: Int32 = 6, outputPartitions: Int32 = 6, deadLetterPartitions: Int32 = 2
    ) throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        inProcessCluster = cluster
        bootstrapServers = cluster.bootstrapServers
        topics = uniqueTopics(prefix: prefix)
        self.partitions = partitions
        loadCompression = nil
        try cluster.createTopic(topics.input, partitions: partitions)
        try cluster.createTopic(topics.output, partitions: outputPartitions)
        try cluster.createTopic(topics.deadLetter, partitions: deadLetterPartitions)
    }

    /// A bed on a `usp-worker broker` process, the way an operator runs a
    /// cluster beside the worker; its topics are made through the broker's
    /// control lines, and loads are compressed (lz4).
    public init(broker: BrokerProcess, partitions: Int32, outputPartitions: Int32) throws {
        inProcessCluster = nil
        bootstrapServers = broker.bootstrapServers
        topics = uniqueTopics()
        self.partitions = partitions
        loadCompression = "lz4"
        try broker.createTopic(topics.input, partitions: partitions)
        try broker.createTopic(topics.output, partitions: outputPartitions)
        try broker.createTopic(topics.deadLetter, partitions: 2)
    }

    deinit { inProcessCluster?.close() }

    /// The embedded cluster in this process (for error injection); only beds made on one have it.
    public var cluster: EmbeddedKafkaCluster {
        guard let inProcessCluster else { preconditionFailure("a bed on a broker process has no in-process cluster") }
        return inProcessCluster
    }

    /// Delays every broker's responses by `rtt`, as a cluster in another zone would: for
    /// tests that need a worker slow enough to be caught mid-stream.
    public func slowDown(by rtt: Duration = .milliseconds(20)) {
        cluster.setBrokerRoundTripTime(-1, rtt)
    }

    /// The librdkafka properties every client of the test uses: the cluster, and a short session
    /// so that rebalances settle within seconds. `USP_TEST_KAFKA_DEBUG` sets librdkafka's `debug`.
    public var kafka: KafkaConfiguration {
        var configuration = KafkaConfiguration()
        configuration.bootstrapServers = bootstrapServers
        configuration["session.timeout.ms"] = "6000"
        configuration["heartbeat.interval.ms"] = "500"
        if let debug = ProcessInfo.processInfo.environment["USP_TEST_KAFKA_DEBUG"] { configuration["debug"] = debug }
        return configuration
    }

    /// A worker's configuration on the bed's topics, committing every 200 ms.
    public func workerConfiguration(
        group: String, untilCaughtUp: Bool = true, maximumBodySize: Int = CreatePipeline.defaultMaximumBodySize,
        authentication: EventAuthentication = .none
    ) -> WorkerConfiguration {
        WorkerConfiguration(
            topics: topics, kafka: kafka, groupID: group, untilCaughtUp: untilCaughtUp,
            commitInterval: .milliseconds(200), shutdownTimeout: .seconds(20), maximumBodySize: maximumBodySize,
            authentication: authentication)
    }

    public func worker(
        group: String, untilCaughtUp: Bool = true, maximumBodySize: Int = CreatePipeline.defaultMaximumBodySize,
        authentication: EventAuthentication = .none, logger: Logger = KafkaTestBed.warningsOnly
    ) -> Worker {
        Worker(
            configuration: workerConfiguration(
                group: group, untilCaughtUp: untilCaughtUp, maximumBodySize: maximumBodySize,
                authentication: authentication),
            logger: logger)
    }

    /// Runs a worker in `group` until the group has caught up with the input.
    @discardableResult
    public func runWorker(
        group: String, maximumBodySize: Int = CreatePipeline.defaultMaximumBodySize,
        authentication: EventAuthentication = .none
    ) async throws -> WorkerSummary {
        try await worker(group: group, maximumBodySize: maximumBodySize, authentication: authentication).run()
    }

    /// Warnings and errors only; `USP_TEST_LOG=1` shows the workers' info lines when a test needs looking into.
    public static let warningsOnly: Logger = {
        var logger = Logger(label: "worker-test")
        logger.logLevel = ProcessInfo.processInfo.environment["USP_TEST_LOG"] == nil ? .warning : .info
        return logger
    }()

    /// Produces `count` events of the sample mix, from event `first` on, event `i` to partition
    /// `i % partitions` (so on a fresh topic its offset is `i / partitions`) with `client-request-id`
    /// `c-<i>` after `headers(i)`, and waits for all; returns how many are valid.
    @discardableResult
    public func load(
        _ count: Int, from first: Int = 0, invalidEvery: Int = 10, headers: (Int) -> [KafkaHeader] = { _ in [] }
    ) throws -> Int {
        var configuration = KafkaConfiguration()
        configuration.bootstrapServers = bootstrapServers
        configuration["compression.type"] = loadCompression
        let failures = FailureCount()
        let producer = try KafkaProducer(configuration: configuration) { report in
            if report.error != nil { failures.count.add(1, ordering: .relaxed) }
        }
        defer { producer.close(timeout: .seconds(10)) }
        var valid = 0
        for index in first..<(first + count) {
            let event = SampleEvents.mixed(index, invalidEvery: invalidEvery)
            if event.isValid { valid += 1 }
            try producer.produce(
                topic: topics.input, partition: Int32(index) % partitions, key: Array("event-\(index)".utf8),
                value: event.body,
                headers: headers(index) + [KafkaHeader(name: "client-request-id", value: Array("c-\(index)".utf8))],
                opaque: UInt64(index), waitingForRoomUpTo: .seconds(60))
        }
        try producer.flush(timeout: .seconds(60))
        #expect(failures.count.load(ordering: .relaxed) == 0, "every event was loaded")
        return valid
    }

    /// Produces `records` in order to partition 0 (record `i` at offset `i` of a fresh
    /// topic), and waits for all.
    public func produce(_ records: [(value: [UInt8], headers: [KafkaHeader])]) throws {
        var configuration = KafkaConfiguration()
        configuration.bootstrapServers = bootstrapServers
        let failures = FailureCount()
        let producer = try KafkaProducer(configuration: configuration) { report in
            if report.error != nil { failures.count.add(1, ordering: .relaxed) }
        }
        defer { producer.close(timeout: .seconds(10)) }
        for (index, record) in records.enumerated() {
            try producer.produce(
                topic: topics.input, partition: 0, key: Array("event-\(index)".utf8), value: record.value,
                headers: record.headers, opaque: UInt64(index), waitingForRoomUpTo: .seconds(60))
        }
        try producer.flush(timeout: .seconds(60))
        #expect(failures.count.load(ordering: .relaxed) == 0, "every record was produced")
    }

    /// Reads `topic` from the beginning until `count` records arrived or `timeout` passed.
    public func read(_ topic: String, count: Int, timeout: Duration = .seconds(60)) throws -> [KafkaMessage] {
        try KafkaConsumer.readRecords(topic: topic, count: count, bootstrapServers: bootstrapServers, timeout: timeout)
    }

    /// Every record of `topic`, read until its end offsets (taken now) are reached.
    public func readAll(_ topic: String) throws -> [KafkaMessage] {
        try read(topic, count: try recordCount(topic))
    }

    /// Records on one of the test's topics, from its watermarks.
    public func recordCount(_ topic: String) throws -> Int {
        try KafkaConsumer.recordCount(topic: topic, bootstrapServers: bootstrapServers)
    }

    /// Each partition's low and high watermarks. A low watermark above 0 means
    /// the embedded cluster dropped records past its retention.
    public func watermarks(_ topic: String) throws -> [(partition: Int32, low: Int64, high: Int64)] {
        try KafkaConsumer.watermarks(topic: topic, bootstrapServers: bootstrapServers)
    }

    /// The group's committed offsets for the input topic, by partition.
    public func committedOffsets(group: String) throws -> [Int32: Int64] {
        var configuration = kafka
        configuration.groupID = group
        let probe = try KafkaConsumer(configuration: configuration)
        defer { try? probe.close() }
        let committed = try probe.committed(
            (0..<partitions).map { TopicPartition(topic: topics.input, partition: $0) }, timeout: .seconds(10))
        return Dictionary(uniqueKeysWithValues: committed.map { ($0.partition, $0.offset) })
    }
}

/// Delivery failures counted from the producer's thread.
private final class FailureCount: Sendable {
    let count = Atomic<Int>(0)
}
