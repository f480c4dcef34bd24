import ArgumentParser
import Foundation
import Kafka
import Synchronization

/// Options shared by the Kafka benchmarks.
struct KafkaBenchmarkOptions: ParsableArguments {
    @Option(help: "Records to move.")
    var records = 1_000_000

    @Option(
        help:
            "Partitions of each topic. The mock broker keeps at most 5 MiB (or 100,000 batches) per partition and drops the oldest: records × (value size + ~12 B record overhead) / partitions must stay below that."
    )
    var partitions: Int32 = 64

    @Option(help: "Value size in bytes (records carry no key).")
    var valueSize = 100

    @Option(help: "Runs of each side, alternating kcat and Swift; the medians are compared.")
    var repeats = 3

    @Option(
        name: .customLong("producer-property"),
        help: "A librdkafka property for the Swift producer, key=value (repeatable).")
    var producerProperties: [String] = []

    @Option(
        name: .customLong("consumer-property"),
        help: "A librdkafka property for the Swift consumer, key=value (repeatable).")
    var consumerProperties: [String] = []

    func apply(_ properties: [String], to configuration: inout KafkaConfiguration) {
        for property in properties {
            guard let separator = property.firstIndex(of: "=") else { continue }
            configuration[String(property[..<separator])] = String(property[property.index(after: separator)...])
        }
    }

    func validate() throws {
        let perPartition = Double(records) / Double(partitions) * Double(valueSize + 12)
        if perPartition > 4.5 * 1_048_576 {
            throw ValidationError(
                "≈\(Int(perPartition / 1_048_576)) MiB per partition exceeds the mock broker's 5 MiB retention; add partitions"
            )
        }
    }

    /// One record value: `valueSize` printable bytes (no newline, so kcat can read it as a line).
    func value(_ index: Int) -> [UInt8] {
        var bytes = Array("\(index):".utf8)
        while bytes.count < valueSize { bytes.append(UInt8(ascii: "a") + UInt8(bytes.count % 26)) }
        return Array(bytes.prefix(valueSize))
    }
}

/// Figures for one run.
struct Measurement {
    let name: String
    let records: Int
    let seconds: Double

    var recordsPerSecond: Double { Double(records) / seconds }

    func printed() -> String {
        "\(name.padding(toLength: 48, withPad: " ", startingAt: 0)) \(String(format: "%8.3f s  %12.0f records/s", seconds, recordsPerSecond))"
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// Prints every run and the medians, and the ratio of the medians.
func printComparison(swiftName: String, swift: [Double], kcatName: String, kcat: [Double], records: Int) {
    func runs(_ values: [Double]) -> String { values.map { String(format: "%.3f", $0) }.joined(separator: ", ") }
    print("runs (s): Swift [\(runs(swift))]  kcat [\(runs(kcat))]")
    let swiftMedian = Measurement(name: swiftName + " (median)", records: records, seconds: median(swift))
    let kcatMedian = Measurement(name: kcatName + " (median)", records: records, seconds: median(kcat))
    print(swiftMedian.printed())
    print(kcatMedian.printed())
    print(
        String(format: "ratio Swift time / kcat time: %.2f (target ≤ 1.25)", swiftMedian.seconds / kcatMedian.seconds))
}

/// Runs kcat, standard output to /dev/null, and returns its wall time.
func timeKcat(_ arguments: [String]) throws -> Double {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/kcat")
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    let start = ContinuousClock.now
    try process.run()
    process.waitUntilExit()
    let elapsed = ContinuousClock.now - start
    guard process.terminationStatus == 0 else {
        throw ValidationError("kcat \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
    }
    return elapsed.seconds
}

/// Produces `records` records with the Swift producer; returns the time from creating
/// the producer to the last delivery report (close included).
func produceWithSwift(cluster: EmbeddedKafkaCluster, topic: String, options: KafkaBenchmarkOptions, roundRobin: Bool)
    throws -> Double
{
    let delivered = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    var configuration = KafkaConfiguration()
    configuration.bootstrapServers = cluster.bootstrapServers
    // Spread keyless records per message, as kcat is told to: librdkafka's sticky
    // partitioner would otherwise fill one partition per 10 ms window, past the mock's retention.
    configuration["sticky.partitioning.linger.ms"] = "0"
    options.apply(options.producerProperties, to: &configuration)
    let values = (0..<1000).map { options.value($0) }
    let start = ContinuousClock.now
    let producer = try KafkaProducer(
        configuration: configuration,
        onDelivery: { report in
            delivered.wrappingAdd(1, ordering: .relaxed)
            if report.errorCode != .noError { failed.wrappingAdd(1, ordering: .relaxed) }
        })
    var queueFullWaits = 0
    for index in 0..<options.records {
        let partition = roundRobin ? Int32(index % Int(options.partitions)) : nil
        queueFullWaits += try produceWaitingWhenFull(
            producer, topic: topic, partition: partition, value: values[index % values.count], opaque: UInt64(index))
    }
    let enqueued = ContinuousClock.now
    try producer.flush(timeout: .seconds(120))
    let flushed = ContinuousClock.now
    producer.close(timeout: .seconds(10))
    let elapsed = (ContinuousClock.now - start).seconds
    print(
        String(
            format:
                "  Swift producer: enqueued in %.3f s (%d waits for a full queue), flushed in %.3f s, closed in %.3f s",
            (enqueued - start).seconds, queueFullWaits, (flushed - enqueued).seconds,
            (ContinuousClock.now - flushed).seconds))
    guard delivered.load(ordering: .relaxed) == options.records, failed.load(ordering: .relaxed) == 0 else {
        throw ValidationError(
            "delivered \(delivered.load(ordering: .relaxed)), failed \(failed.load(ordering: .relaxed))")
    }
    return elapsed
}

/// Checks that the mock broker kept every record (it drops the oldest past its limits).
func verifyRetained(cluster: EmbeddedKafkaCluster, topic: String, options: KafkaBenchmarkOptions) throws {
    var configuration = KafkaConfiguration()
    configuration.bootstrapServers = cluster.bootstrapServers
    configuration.groupID = "watermarks"
    let consumer = try KafkaConsumer(configuration: configuration)
    var kept: Int64 = 0
    var dropped: [Int32] = []
    for partition in 0..<options.partitions {
        let marks = try consumer.watermarks(topic: topic, partition: partition, timeout: .seconds(10))
        kept += marks.high - marks.low
        if marks.low > 0 { dropped.append(partition) }
    }
    try consumer.close()
    guard kept == options.records else {
        throw ValidationError(
            "the broker kept \(kept) of \(options.records) records (partitions that dropped their oldest records: \(dropped))"
        )
    }
}

/// Produces one record; when librdkafka's queue is full, waits 1 ms for deliveries and retries.
/// Returns how many times it waited.
func produceWaitingWhenFull(_ producer: KafkaProducer, topic: String, partition: Int32?, value: [UInt8], opaque: UInt64)
    throws(KafkaError) -> Int
{
    var waits = 0
    while true {
        do throws(KafkaError) {
            try producer.produce(topic: topic, partition: partition, key: nil, value: value, opaque: opaque)
            return waits
        } catch {
            guard error.code == .queueFull else { throw error }
            waits += 1
            usleep(1_000)
        }
    }
}

struct KafkaConsumeBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-consume",
        abstract:
            "Consumes records from the embedded cluster with the Swift consumer (borrowing poll, no copies) and with kcat, and compares.",
        discussion: """
            Both read the same topic, written beforehand by the Swift producer. Without --group
            both read partitions directly (Swift: assign; kcat: its plain partition consumer,
            -C -e -o beginning). With --group both join a fresh consumer group (Swift:
            subscribe; kcat: -G), which adds the mock's ~3 s group join to both.
            """
    )

    @OptionGroup var options: KafkaBenchmarkOptions

    @Flag(help: "Consume as group members (subscribe / kcat -G) instead of assigned partitions.")
    var group = false

    func run() throws {
        let cluster = try EmbeddedKafkaCluster()
        defer { cluster.close() }
        let topic = "bench-consume"
        try cluster.createTopic(topic, partitions: options.partitions)
        let produceSeconds = try produceWithSwift(cluster: cluster, topic: topic, options: options, roundRobin: true)
        try verifyRetained(cluster: cluster, topic: topic, options: options)
        print(
            "loaded \(options.records) records of \(options.valueSize) B into \(options.partitions) partitions in \(String(format: "%.2f", produceSeconds)) s"
        )

        var kcatSeconds: [Double] = []
        var swiftSeconds: [Double] = []
        for _ in 0..<max(options.repeats, 1) {
            let kcatArguments =
                group
                ? [
                    "-b", cluster.bootstrapServers, "-G", "kcat-bench-\(UUID().uuidString)", "-o", "beginning", "-e",
                    "-q", topic,
                ]
                : ["-C", "-b", cluster.bootstrapServers, "-t", topic, "-o", "beginning", "-e", "-q"]
            kcatSeconds.append(try timeKcat(kcatArguments))
            swiftSeconds.append(try consumeWithSwift(cluster: cluster, topic: topic))
        }
        let mode = group ? "group" : "assigned partitions"
        printComparison(
            swiftName: "Swift consumer, \(mode)", swift: swiftSeconds,
            kcatName: "kcat -C, \(mode)", kcat: kcatSeconds, records: options.records)
    }

    private func consumeWithSwift(cluster: EmbeddedKafkaCluster, topic: String) throws -> Double {
        var configuration = KafkaConfiguration()
        configuration.bootstrapServers = cluster.bootstrapServers
        configuration.groupID = "swift-bench-\(UUID().uuidString)"
        configuration["auto.offset.reset"] = "earliest"
        options.apply(options.consumerProperties, to: &configuration)
        let start = ContinuousClock.now
        let consumer = try KafkaConsumer(configuration: configuration)
        if group {
            try consumer.subscribe(topics: [topic])
        } else {
            try consumer.assign(
                (0..<options.partitions).map {
                    TopicPartitionOffset(topic: topic, partition: $0, offset: TopicPartitionOffset.beginning)
                })
        }
        var count = 0
        var bytes = 0
        let deadline = start.advanced(by: .seconds(300))
        while count < options.records && ContinuousClock.now < deadline {
            count += try consumer.poll(maxMessages: 10_000, timeout: .milliseconds(100)) { message in
                bytes &+= message.value?.count ?? 0
            }
        }
        try consumer.close()
        let elapsed = (ContinuousClock.now - start).seconds
        guard count == options.records else { throw ValidationError("consumed \(count) of \(options.records)") }
        guard bytes == options.records * options.valueSize else { throw ValidationError("consumed \(bytes) bytes") }
        return elapsed
    }
}

struct KafkaProduceBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-produce",
        abstract:
            "Produces records into the embedded cluster with the Swift producer and with kcat -P -l, each into its own fresh topic, and compares.",
        discussion: """
            Both send values without keys, spread over the partitions per message
            (sticky.partitioning.linger.ms=0), with librdkafka's defaults plus the layer's
            (Swift: idempotent, acks=all; kcat: acks=all). Times run from start to the last
            acknowledgement (kcat exits after flushing). Every topic is checked afterwards:
            the broker must have kept every record.
            """
    )

    @OptionGroup var options: KafkaBenchmarkOptions

    func run() throws {
        let cluster = try EmbeddedKafkaCluster()
        defer { cluster.close() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kcat-produce-\(getpid()).txt")
        var text = [UInt8]()
        text.reserveCapacity(options.records * (options.valueSize + 1))
        let values = (0..<1000).map { options.value($0) }
        for index in 0..<options.records {
            text += values[index % values.count]
            text.append(UInt8(ascii: "\n"))
        }
        try Data(text).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        func kcatArguments(_ topic: String) -> [String] {
            [
                "-P", "-b", cluster.bootstrapServers, "-t", topic, "-X", "sticky.partitioning.linger.ms=0", "-l",
                file.path,
            ]
        }
        var kcatSeconds: [Double] = []
        var swiftSeconds: [Double] = []
        for run in 0..<max(options.repeats, 1) {
            let kcatTopic = "bench-produce-kcat-\(run)"
            let swiftTopic = "bench-produce-swift-\(run)"
            try cluster.createTopic(kcatTopic, partitions: options.partitions)
            try cluster.createTopic(swiftTopic, partitions: options.partitions)
            kcatSeconds.append(try timeKcat(kcatArguments(kcatTopic)))
            swiftSeconds.append(
                try produceWithSwift(cluster: cluster, topic: swiftTopic, options: options, roundRobin: false))
            try verifyRetained(cluster: cluster, topic: kcatTopic, options: options)
            try verifyRetained(cluster: cluster, topic: swiftTopic, options: options)
        }
        printComparison(
            swiftName: "Swift producer", swift: swiftSeconds,
            kcatName: "kcat -P -l", kcat: kcatSeconds, records: options.records)
    }
}

/// Every public path of the Kafka layer once, on the embedded cluster, then teardown:
/// a scenario for leak checkers (`valgrind --leak-check=full usp-bench kafka-scenario`).
struct KafkaScenario: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-scenario",
        abstract: "Runs every public path of the Kafka layer once on the embedded cluster (for leak checkers)."
    )

    func run() throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("leak", partitions: 3)
        let delivered = Atomic<Int>(0)
        var producerConfiguration = KafkaConfiguration()
        producerConfiguration.bootstrapServers = cluster.bootstrapServers
        let producer = try KafkaProducer(
            configuration: producerConfiguration, onDelivery: { _ in delivered.wrappingAdd(1, ordering: .relaxed) })
        for i in 0..<2000 {
            try producer.produce(
                topic: "leak", key: i % 5 == 0 ? nil : Array("k\(i)".utf8),
                value: i % 7 == 0 ? nil : Array("v\(i)".utf8),
                headers: [KafkaHeader(name: "h", value: [1, 2]), KafkaHeader(name: "n", value: nil)], opaque: UInt64(i))
        }
        cluster.pushRequestErrors(.produce, [.notEnoughReplicas])
        try producer.flush(timeout: .seconds(30))
        // A message the broker refuses (a non-retriable error in its delivery report).
        cluster.pushRequestErrors(.produce, Array(repeating: .topicAuthorizationFailed, count: 5))
        try producer.produce(topic: "leak", key: nil, value: [1], opaque: 9999)
        try? producer.flush(timeout: .seconds(10))
        producer.close(timeout: .seconds(5))
        print("producer: \(delivered.load(ordering: .relaxed)) delivery reports")

        // A producer closed from its own delivery thread.
        let selfClosing = Mutex<KafkaProducer?>(nil)
        let closing = try KafkaProducer(
            configuration: producerConfiguration,
            onDelivery: { _ in
                selfClosing.withLock { $0 }?.close(timeout: .seconds(1))
            })
        selfClosing.withLock { $0 = closing }
        try closing.produce(topic: "leak", key: nil, value: [2], opaque: 0)
        let closeDeadline = ContinuousClock.now.advanced(by: .seconds(10))
        while (try? closing.produce(topic: "leak", key: nil, value: [3], opaque: 1)) != nil
            && ContinuousClock.now < closeDeadline
        {
            usleep(10_000)
        }
        selfClosing.withLock { $0 = nil }

        // Bad configurations.
        _ = try? KafkaProducer(configuration: KafkaConfiguration(["no.such": "x"]), onDelivery: { _ in })
        _ = try? KafkaConsumer(configuration: KafkaConfiguration(["acks": "bad", "group.id": "g"]))

        var consumerConfiguration = KafkaConfiguration([
            "auto.offset.reset": "earliest", "session.timeout.ms": "6000", "heartbeat.interval.ms": "500",
        ])
        consumerConfiguration.bootstrapServers = cluster.bootstrapServers
        consumerConfiguration.groupID = "leak-group"
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration,
            onRebalance: { event, consumer in
                if case .revoked(let partitions) = event {
                    try? consumer.commit(
                        partitions.map { TopicPartitionOffset(topic: $0.topic, partition: $0.partition, offset: 1) },
                        mode: .sync)
                }
            })
        consumer.setErrorHandler { print("consumer error: \($0)") }
        try consumer.subscribe(topics: ["leak"])
        var count = 0
        var headerBytes = 0
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(60))
        while count < 2000 && clock.now < deadline {
            count += try consumer.poll(maxMessages: 100, timeout: .milliseconds(100)) { message in
                _ = message.topic
                _ = message.headers
                message.forEachHeader { name, value in headerBytes += name.count + (value?.count ?? 0) }
                _ = KafkaMessage(message)
            }
        }
        print("consumer: \(count) messages")
        _ = try consumer.poll(timeout: .milliseconds(10))
        _ = try consumer.assignment()
        _ = try consumer.watermarks(topic: "leak", partition: 0, timeout: .seconds(5))
        _ = try consumer.committed([TopicPartition(topic: "leak", partition: 0)], timeout: .seconds(5))
        _ = try consumer.partitionCount(topic: "leak", timeout: .seconds(5))
        try consumer.pause([TopicPartition(topic: "leak", partition: 0)])
        try consumer.resume([TopicPartition(topic: "leak", partition: 0)])
        try consumer.commit([TopicPartitionOffset(topic: "leak", partition: 0, offset: 5)], mode: .async)
        try consumer.close()

        // A consumer released without close (deinit path).
        do {
            let unclosed = try KafkaConsumer(configuration: consumerConfiguration)
            try unclosed.subscribe(topics: ["leak"])
            _ = try unclosed.poll(timeout: .milliseconds(200))
        }
        // A producer released without close, with messages still queued (deinit path).
        do {
            let unclosed = try KafkaProducer(configuration: producerConfiguration, onDelivery: { _ in })
            try unclosed.produce(topic: "leak", key: nil, value: [1], opaque: 0)
        }
        cluster.close()
    }
}
