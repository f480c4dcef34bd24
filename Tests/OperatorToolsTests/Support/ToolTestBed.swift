import CreatePipeline
import Foundation
import Kafka
import Logging
import SampleEvents
import Synchronization
import Testing
import Worker

/// An embedded cluster with the worker's three topics (names unique to the
/// test), a scratch folder for input files, and what the tool tests do with
/// them: run a worker until caught up, read a topic back.
final class ToolTestBed: Sendable {
    let cluster: EmbeddedKafkaCluster
    let topics: WorkerConfiguration.Topics
    /// Where the test's input files go.
    let files: ScratchFolder
    static let partitions: Int32 = 3

    private static let counter = Atomic<Int>(0)

    init() throws {
        cluster = try EmbeddedKafkaCluster(brokers: 1)
        let suffix = "\(Self.counter.add(1, ordering: .relaxed).newValue)-\(UInt32.random(in: 0...UInt32.max))"
        topics = WorkerConfiguration.Topics(
            input: "tools-create-\(suffix)", output: "tools-created-\(suffix)", deadLetter: "tools-dlq-\(suffix)")
        for topic in [topics.input, topics.output, topics.deadLetter] {
            try cluster.createTopic(topic, partitions: Self.partitions)
        }
        files = try ScratchFolder()
    }

    deinit { cluster.close() }

    /// The librdkafka properties every client of the test uses.
    var kafka: KafkaConfiguration {
        var configuration = KafkaConfiguration()
        configuration.bootstrapServers = cluster.bootstrapServers
        configuration["session.timeout.ms"] = "6000"
        configuration["heartbeat.interval.ms"] = "500"
        return configuration
    }

    /// Runs a worker in `group` until the group has caught up with the input.
    @discardableResult
    func runWorker(
        group: String, maximumBodySize: Int = CreatePipeline.defaultMaximumBodySize,
        authentication: EventAuthentication = .none
    ) async throws -> WorkerSummary {
        var logger = Logger(label: "tools-test-worker")
        logger.logLevel = .warning
        let configuration = WorkerConfiguration(
            topics: topics, kafka: kafka, groupID: group, untilCaughtUp: true,
            commitInterval: .milliseconds(200), shutdownTimeout: .seconds(20), maximumBodySize: maximumBodySize,
            authentication: authentication)
        return try await Worker(configuration: configuration, logger: logger).run()
    }

    /// Every record of `topic`, read until its end offsets (taken now) are reached.
    func readAll(_ topic: String) throws -> [KafkaMessage] {
        try KafkaConsumer.readRecords(
            topic: topic, count: try recordCount(topic), bootstrapServers: cluster.bootstrapServers,
            timeout: .seconds(60))
    }

    /// Writes dead letters as the worker does, one per code (the API page's example body, the
    /// worker's six headers last), spread over the dead-letter topic's partitions.
    func writeDeadLetters(codes: [String]) throws {
        let producer = try KafkaProducer(configuration: kafka) { _ in }
        defer { producer.close(timeout: .seconds(5)) }
        for (offset, code) in codes.enumerated() {
            let status = ["InvalidAuthenticationToken": "401", "Forbidden": "403"][code] ?? "400"
            let headers = [
                ("client-request-id", "letter-\(offset)"), ("error-status", status), ("error-code", code),
                ("error", "{}"), ("source-topic", topics.input), ("source-partition", "0"),
                ("source-offset", "\(offset)"),
            ].map { KafkaHeader(name: $0.0, value: Array($0.1.utf8)) }
            try producer.produce(
                topic: topics.deadLetter, partition: Int32(offset) % Self.partitions, key: nil,
                value: SampleEvents.valid(offset), headers: headers, opaque: 0)
        }
        try producer.flush(timeout: .seconds(30))
    }

    /// Records on `topic`, from its watermarks.
    func recordCount(_ topic: String) throws -> Int {
        try KafkaConsumer.recordCount(topic: topic, bootstrapServers: cluster.bootstrapServers)
    }
}

extension KafkaMessage {
    /// The value of the first header with this name, as text.
    func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
    }
}
