import CreatePipeline
import Foundation
import Kafka
import Logging
import SampleEvents
import Synchronization
import Testing

@testable import Worker

/// An embedded cluster with the worker's three topics (under names unique to
/// the test), and the tools the worker tests share: load events, run
/// workers, read what they published, check it against the contract.
final class WorkerTestBed: Sendable {
    /// The cluster in this process, for beds made on one; a bed on a
    /// `usp-worker broker` process has none.
    private let inProcessCluster: EmbeddedKafkaCluster?
    let bootstrapServers: String
    let topics: WorkerConfiguration.Topics
    let partitions: Int32
    let outputPartitions: Int32
    /// How `load` compresses: the embedded cluster keeps 5 MiB a partition,
    /// counted as stored, so compressed loads keep more events.
    let loadCompression: String?

    private static let counter = Atomic<Int>(0)

    /// A bed on an embedded cluster of one broker in this process.
    init(partitions: Int32 = 6, outputPartitions: Int32 = 6) throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        inProcessCluster = cluster
        bootstrapServers = cluster.bootstrapServers
        topics = Self.uniqueTopics()
        self.partitions = partitions
        self.outputPartitions = outputPartitions
        loadCompression = nil
        try cluster.createTopic(topics.input, partitions: partitions)
        try cluster.createTopic(topics.output, partitions: outputPartitions)
        try cluster.createTopic(topics.deadLetter, partitions: 2)
    }

    /// A bed on a `usp-worker broker` process, the way an operator runs a
    /// cluster beside the worker; its topics are made through the broker's
    /// control lines, and loads are compressed (lz4).
    init(broker: BrokerProcess, partitions: Int32, outputPartitions: Int32) throws {
        inProcessCluster = nil
        bootstrapServers = broker.bootstrapServers
        topics = Self.uniqueTopics()
        self.partitions = partitions
        self.outputPartitions = outputPartitions
        loadCompression = "lz4"
        try broker.createTopic(topics.input, partitions: partitions)
        try broker.createTopic(topics.output, partitions: outputPartitions)
        try broker.createTopic(topics.deadLetter, partitions: 2)
    }

    private static func uniqueTopics() -> WorkerConfiguration.Topics {
        let suffix = "\(Self.counter.add(1, ordering: .relaxed).newValue)-\(UInt32.random(in: 0...UInt32.max))"
        return WorkerConfiguration.Topics(
            input: "create-\(suffix)", output: "created-\(suffix)", deadLetter: "dlq-\(suffix)")
    }

    deinit { inProcessCluster?.close() }

    /// The embedded cluster in this process (for error injection); only beds made on one have it.
    var cluster: EmbeddedKafkaCluster {
        guard let inProcessCluster else { preconditionFailure("a bed on a broker process has no in-process cluster") }
        return inProcessCluster
    }

    var kafka: KafkaConfiguration {
        var configuration = KafkaConfiguration()
        configuration.bootstrapServers = bootstrapServers
        configuration["session.timeout.ms"] = "6000"
        configuration["heartbeat.interval.ms"] = "500"
        if let debug = ProcessInfo.processInfo.environment["USP_TEST_KAFKA_DEBUG"] { configuration["debug"] = debug }
        return configuration
    }

    func workerConfiguration(
        group: String, untilCaughtUp: Bool = true, authentication: EventAuthentication = .none
    ) -> WorkerConfiguration {
        WorkerConfiguration(
            topics: topics, kafka: kafka, groupID: group, untilCaughtUp: untilCaughtUp,
            commitInterval: .milliseconds(200), shutdownTimeout: .seconds(20), authentication: authentication)
    }

    func worker(
        group: String, untilCaughtUp: Bool = true, authentication: EventAuthentication = .none,
        logger: Logger = WorkerTestBed.warningsOnly
    ) -> Worker {
        Worker(
            configuration: workerConfiguration(group: group, untilCaughtUp: untilCaughtUp, authentication: authentication),
            logger: logger)
    }

    static let warningsOnly: Logger = {
        var logger = Logger(label: "worker-test")
        // USP_TEST_LOG=1 shows the workers' info lines when a test needs looking into.
        logger.logLevel = ProcessInfo.processInfo.environment["USP_TEST_LOG"] == nil ? .warning : .info
        return logger
    }()

    /// Produces `count` events of the sample mix, event `i` to partition
    /// `i % partitions` (so its offset is `i / partitions`), and waits for all.
    @discardableResult
    func load(_ count: Int, invalidEvery: Int = 10, headers: (Int) -> [KafkaHeader] = { _ in [] }) throws -> Int {
        var configuration = KafkaConfiguration()
        configuration.bootstrapServers = bootstrapServers
        configuration["compression.type"] = loadCompression
        let failures = FailureCount()
        let producer = try KafkaProducer(configuration: configuration) { report in
            if report.error != nil { failures.count.add(1, ordering: .relaxed) }
        }
        defer { producer.close(timeout: .seconds(10)) }
        var valid = 0
        for index in 0..<count {
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
    func produce(_ records: [(value: [UInt8], headers: [KafkaHeader])]) throws {
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

    func read(_ topic: String, count: Int, timeout: Duration = .seconds(60)) throws -> [KafkaMessage] {
        try KafkaConsumer.readRecords(topic: topic, count: count, bootstrapServers: bootstrapServers, timeout: timeout)
    }

    /// Records on one of the test's topics, from its watermarks.
    func recordCount(_ topic: String) throws -> Int {
        try KafkaConsumer.recordCount(topic: topic, bootstrapServers: bootstrapServers)
    }

    /// Each partition's low and high watermarks. A low watermark above 0 means
    /// the embedded cluster dropped records past its retention.
    func watermarks(_ topic: String) throws -> [(partition: Int32, low: Int64, high: Int64)] {
        try KafkaConsumer.watermarks(topic: topic, bootstrapServers: bootstrapServers)
    }

    /// The group's committed offsets for the input topic, by partition.
    func committedOffsets(group: String) throws -> [Int32: Int64] {
        var configuration = kafka
        configuration.groupID = group
        let probe = try KafkaConsumer(configuration: configuration)
        defer { try? probe.close() }
        let committed = try probe.committed(
            (0..<partitions).map { TopicPartition(topic: topics.input, partition: $0) }, timeout: .seconds(10))
        return Dictionary(uniqueKeysWithValues: committed.map { ($0.partition, $0.offset) })
    }

    /// Outputs expected for every input, computed by the worker's own
    /// translator from the input as stored (timestamps included).
    func expectedOutputs(
        inputCount: Int, authentication: EventAuthentication = .none
    ) throws -> [InputCoordinate: OutboundRecord] {
        let translator = RecordTranslator(pipeline: CreatePipeline(), topics: topics, authentication: authentication)
        var expected: [InputCoordinate: OutboundRecord] = [:]
        for message in try read(topics.input, count: inputCount) {
            let record = InboundRecord(
                partition: message.partition, offset: message.offset, timestampMilliseconds: message.timestampMilliseconds,
                key: message.key, value: message.value, headers: message.headers)
            expected[InputCoordinate(partition: message.partition, offset: message.offset)] = translator.translate(record)
        }
        return expected
    }

    /// Reads both output topics and checks them against the contract: each
    /// input has an output equal to the expected one, byte for byte; any
    /// duplicate is byte-identical to the first; per input partition, outputs
    /// landing in one output partition keep input order.
    @discardableResult
    func verifyOutputs(
        inputCount: Int, expectedCreated: Int, allowDuplicates: Bool, authentication: EventAuthentication = .none,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (entities: [KafkaMessage], deadLetters: [KafkaMessage]) {
        let expected = try expectedOutputs(inputCount: inputCount, authentication: authentication)
        #expect(expected.count == inputCount, sourceLocation: sourceLocation)
        for topic in [topics.output, topics.deadLetter] {
            let dropped = try watermarks(topic).map(\.low).reduce(0, +)
            #expect(dropped == 0, "the embedded cluster kept every record of \(topic)", sourceLocation: sourceLocation)
        }
        let inputOfID = Self.inputOfEntityID(expected)
        let entityCount = try recordCount(topics.output)
        let deadLetterCount = try recordCount(topics.deadLetter)
        let entities = try read(topics.output, count: entityCount)
        let deadLetters = try read(topics.deadLetter, count: deadLetterCount)

        var audit = OutputAudit(expected: expected, checkOrder: !allowDuplicates, sourceLocation: sourceLocation)
        for message in entities.sorted(by: Self.byPosition) {
            audit.check(message, coordinate: message.key.flatMap { inputOfID[$0] })
        }
        for message in deadLetters.sorted(by: Self.byPosition) {
            audit.check(message, coordinate: Self.sourceCoordinate(of: message))
        }
        #expect(audit.seen.count == inputCount, "every input has an output", sourceLocation: sourceLocation)
        let unexpected = Set(audit.seen.keys).subtracting(expected.keys).count
        #expect(unexpected == 0, "outputs only for inputs", sourceLocation: sourceLocation)
        #expect(audit.misordered == 0, "outputs keep input order per partition", sourceLocation: sourceLocation)
        if !allowDuplicates {
            #expect(audit.duplicates == 0, "exactly one output per input", sourceLocation: sourceLocation)
            #expect(entities.count == expectedCreated, sourceLocation: sourceLocation)
            #expect(deadLetters.count == inputCount - expectedCreated, sourceLocation: sourceLocation)
        }
        return (entities, deadLetters)
    }

    /// Which input each expected entity id belongs to.
    static func inputOfEntityID(_ expected: [InputCoordinate: OutboundRecord]) -> [[UInt8]: InputCoordinate] {
        var inputOfID: [[UInt8]: InputCoordinate] = [:]
        for (coordinate, output) in expected where output.kind == .entity {
            inputOfID[output.key!] = coordinate
        }
        return inputOfID
    }

    static func byPosition(_ a: KafkaMessage, _ b: KafkaMessage) -> Bool {
        (a.partition, a.offset) < (b.partition, b.offset)
    }

    static func sourceCoordinate(of deadLetter: KafkaMessage) -> InputCoordinate? {
        let text = { (name: String) in
            deadLetter.headers.first { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
        }
        guard let partition = text("source-partition").flatMap({ Int32($0) }),
              let offset = text("source-offset").flatMap({ Int64($0) })
        else { return nil }
        return InputCoordinate(partition: partition, offset: offset)
    }
}

/// Delivery failures counted from the producer's thread.
private final class FailureCount: Sendable {
    let count = Atomic<Int>(0)
}

struct InputCoordinate: Hashable, CustomStringConvertible {
    var partition: Int32
    var offset: Int64
    var description: String { "\(partition)@\(offset)" }
}

/// Checks outputs one by one against the expected ones, counting duplicates
/// and order violations.
private struct OutputAudit {
    let expected: [InputCoordinate: OutboundRecord]
    let checkOrder: Bool
    let sourceLocation: SourceLocation
    var seen: [InputCoordinate: KafkaMessage] = [:]
    var duplicates = 0
    var misordered = 0
    private var lastOffset: [OrderKey: Int64] = [:]

    init(expected: [InputCoordinate: OutboundRecord], checkOrder: Bool, sourceLocation: SourceLocation) {
        self.expected = expected
        self.checkOrder = checkOrder
        self.sourceLocation = sourceLocation
    }

    mutating func check(_ message: KafkaMessage, coordinate: InputCoordinate?) {
        guard let coordinate, let want = expected[coordinate] else {
            Issue.record(
                "an output matches no input: \(message.topic)/\(message.partition)@\(message.offset)",
                sourceLocation: sourceLocation)
            return
        }
        let matches = message.key == want.key && message.value == want.value && message.headers == want.headers
        #expect(matches, "output of \(coordinate) equals the contract's", sourceLocation: sourceLocation)
        if let first = seen[coordinate] {
            duplicates += 1
            let identical = first.value == message.value && first.headers == message.headers
            #expect(identical, "a duplicate is byte-identical to the first", sourceLocation: sourceLocation)
        } else {
            seen[coordinate] = message
        }
        let key = OrderKey(topic: message.topic, outputPartition: message.partition, inputPartition: coordinate.partition)
        if checkOrder, let last = lastOffset[key], last > coordinate.offset { misordered += 1 }
        lastOffset[key] = max(lastOffset[key] ?? -1, coordinate.offset)
    }
}

private struct OrderKey: Hashable {
    var topic: String
    var outputPartition: Int32
    var inputPartition: Int32
}

/// Runs `body` until it returns true or `timeout` passes, checking every 20 ms.
func eventually(timeout: Duration, _ body: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try body() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return try body()
}
