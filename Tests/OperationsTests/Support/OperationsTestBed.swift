import Foundation
import Kafka
import Logging
import Operations
import SampleEvents
import ServiceLifecycle
import Synchronization
import Testing
import Worker

/// An embedded cluster with the worker's three topics (named for the test),
/// and a worker with its HTTP listener on a loopback port the system chose,
/// run the way `usp-worker run` runs them: one service group, listener first.
final class OperationsTestBed: Sendable {
    let cluster: EmbeddedKafkaCluster
    let topics: WorkerConfiguration.Topics
    let partitions: Int32

    private static let counter = Atomic<Int>(0)

    init(partitions: Int32) throws {
        cluster = try EmbeddedKafkaCluster(brokers: 1)
        let suffix = "\(Self.counter.add(1, ordering: .relaxed).newValue)-\(UInt32.random(in: 0...UInt32.max))"
        topics = WorkerConfiguration.Topics(
            input: "ops-create-\(suffix)", output: "ops-created-\(suffix)", deadLetter: "ops-dlq-\(suffix)")
        self.partitions = partitions
        for topic in [topics.input, topics.output, topics.deadLetter] {
            try cluster.createTopic(topic, partitions: partitions)
        }
    }

    deinit { cluster.close() }

    /// The worker's configuration: statistics every 200 ms, so the checks
    /// follow the cluster within a second.
    func workerConfiguration(group: String) -> WorkerConfiguration {
        var kafka = KafkaConfiguration()
        kafka.bootstrapServers = cluster.bootstrapServers
        kafka["session.timeout.ms"] = "6000"
        kafka["heartbeat.interval.ms"] = "500"
        kafka["statistics.interval.ms"] = "200"
        return WorkerConfiguration(
            topics: topics, kafka: kafka, groupID: group, commitInterval: .milliseconds(200),
            shutdownTimeout: .seconds(20))
    }

    /// Produces `count` events of the sample mix, event `i` to partition
    /// `i % partitions`; returns how many are valid.
    @discardableResult
    func load(_ count: Int, from first: Int = 0, headers: (Int) -> [KafkaHeader] = { _ in [] }) throws -> Int {
        var configuration = KafkaConfiguration()
        configuration.bootstrapServers = cluster.bootstrapServers
        let producer = try KafkaProducer(configuration: configuration) { report in
            #expect(report.error == nil, "an event was loaded")
        }
        defer { producer.close(timeout: .seconds(10)) }
        var valid = 0
        for index in first..<(first + count) {
            let event = SampleEvents.mixed(index)
            if event.isValid { valid += 1 }
            try producer.produce(
                topic: topics.input, partition: Int32(index) % partitions, key: Array("event-\(index)".utf8),
                value: event.body, headers: headers(index), opaque: UInt64(index), waitingForRoomUpTo: .seconds(30))
        }
        try producer.flush(timeout: .seconds(30))
        return valid
    }

    /// Records on a topic of the test (the mock keeps them all: low watermarks are 0).
    func recordCount(_ topic: String) throws -> Int {
        Int(try highWatermarks(topic).values.reduce(0, +))
    }

    /// The next offset of each partition of a topic of the test.
    func highWatermarks(_ topic: String) throws -> [Int32: Int64] {
        let probe = try KafkaConsumer(configuration: readerConfiguration)
        defer { try? probe.close() }
        var ends: [Int32: Int64] = [:]
        for partition in 0..<partitions {
            ends[partition] = try probe.watermarks(topic: topic, partition: partition, timeout: .seconds(5)).high
        }
        return ends
    }

    private var readerConfiguration: KafkaConfiguration {
        var configuration = KafkaConfiguration()
        configuration.bootstrapServers = cluster.bootstrapServers
        configuration.groupID = "ops-reader"
        return configuration
    }

    /// Starts `observed` and its listener on 127.0.0.1, port chosen by the
    /// system; returns once the listener accepts connections.
    func start(_ observed: ObservedWorker) async throws -> RunningWorker {
        var logger = Logger(label: "operations-test")
        logger.logLevel = .warning
        let port = AsyncStream.makeStream(of: Int.self)
        let server = OperationsServer(
            address: .init(host: "127.0.0.1", port: 0), routes: observed.routes, logger: logger,
            onListening: { port.continuation.yield($0) })
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(
                        service: server, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup),
                    .init(
                        service: WorkerService(worker: observed.worker), successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup),
                ],
                logger: logger))
        let task = Task { try await group.run() }
        let listening = await withTaskGroup(of: Int?.self) { race in
            race.addTask { await port.stream.first { _ in true } }
            race.addTask {
                try? await Task.sleep(for: .seconds(30))
                return nil
            }
            defer { race.cancelAll() }
            return await race.next() ?? nil
        }
        guard let listening else {
            await group.triggerGracefulShutdown()
            throw TestFailure("the listener did not start within 30 s")
        }
        return RunningWorker(worker: observed.worker, group: group, task: task, client: HTTPProbe(port: listening))
    }
}

/// A worker and its listener running in a service group.
struct RunningWorker: Sendable {
    let worker: Worker
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let client: HTTPProbe

    /// Drains the worker and stops the listener, as SIGTERM does.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Checks `condition` every 100 ms until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}

extension OperationsTestBed {
    /// Every record of a topic of the test, read partition by partition up to
    /// its high watermark (no group, so no rebalance can hide any).
    func readAll(_ topic: String) throws -> [KafkaMessage] {
        let ends = try highWatermarks(topic)
        let reader = try KafkaConsumer(configuration: readerConfiguration)
        defer { try? reader.close() }
        try reader.assign((0..<partitions).map {
            TopicPartitionOffset(topic: topic, partition: $0, offset: TopicPartitionOffset.beginning)
        })
        var records: [KafkaMessage] = []
        let expected = Int(ends.values.reduce(0, +))
        let deadline = ContinuousClock.now + .seconds(30)
        while records.count < expected, ContinuousClock.now < deadline {
            if let message = try reader.poll(timeout: .milliseconds(100)) { records.append(message) }
        }
        return records
    }
}
