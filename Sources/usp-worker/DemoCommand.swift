import ArgumentParser
import Kafka
import SampleEvents
import Worker

/// `usp-worker demo`: the main job end to end on the embedded cluster —
/// sample events in, the worker until caught up, entities and dead letters out.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start the embedded cluster, load sample events, run the worker until caught up, print what it made.")

    @Option(help: "Sample events to load; one in five is invalid.")
    var events = 15

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        guard events > 0 else { throw ValidationError("--events must be positive") }
        let logger = logging.bootstrap(label: "usp-worker.demo", defaultFormat: .text, defaultLevel: .warning)
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.close() }
        let topics = WorkerConfiguration.Topics()
        try cluster.createTopic(topics.input, partitions: 3)
        try cluster.createTopic(topics.output, partitions: 3)
        try cluster.createTopic(topics.deadLetter, partitions: 1)
        print("embedded cluster: \(cluster.bootstrapServers)")

        let loaded = try load(events, into: topics.input, bootstrap: cluster.bootstrapServers)
        print("loaded \(loaded.valid) valid and \(loaded.invalid) invalid events into \(topics.input)\n")

        var kafka = KafkaConfiguration()
        kafka.bootstrapServers = cluster.bootstrapServers
        kafka["session.timeout.ms"] = "6000"
        // The demo's sample events carry no tokens: it trusts the embedded cluster (--auth none).
        // It runs no HTTP listener; were one added, its create endpoint would be as open as
        // the events, on a machine of the user's own: the demo allows that out loud.
        let configuration = WorkerConfiguration(
            topics: topics, kafka: kafka, groupID: "usp-demo", untilCaughtUp: true, authentication: .none)
        let summary = try await runWorker(configuration, logger: logger, allowUnauthenticatedHTTPCreate: true)
        guard let summary else {
            throw ValidationError("the worker was stopped before it caught up")
        }

        let entities = try KafkaConsumer.readRecords(
            topic: topics.output, count: summary.created, bootstrapServers: cluster.bootstrapServers)
        print("== \(entities.count) entities on \(topics.output)")
        for record in entities.sorted(by: { ($0.partition, $0.offset) < ($1.partition, $1.offset) }) {
            print(String(decoding: record.value ?? [], as: UTF8.self))
        }
        let deadLetters = try KafkaConsumer.readRecords(
            topic: topics.deadLetter, count: summary.deadLettered, bootstrapServers: cluster.bootstrapServers)
        print("\n== \(deadLetters.count) dead letters on \(topics.deadLetter)")
        for record in deadLetters {
            let header = { (name: String) in
                record.headers.first { $0.name == name }.flatMap { $0.value }.map {
                    String(decoding: $0, as: UTF8.self)
                } ?? "-"
            }
            print(
                "\(header("source-topic"))/\(header("source-partition"))@\(header("source-offset")) \(header("error-status")) \(header("error-code")): \(header("error"))"
            )
        }
        print("\nsummary: \(summary)")
    }

    /// Produces the sample mix, each event with a client-request-id, and
    /// waits for every delivery.
    private func load(_ count: Int, into topic: String, bootstrap: String) throws -> (valid: Int, invalid: Int) {
        var configuration = KafkaConfiguration()
        configuration.bootstrapServers = bootstrap
        let producer = try KafkaProducer(configuration: configuration) { _ in }
        defer { producer.close(timeout: .seconds(10)) }
        var valid = 0
        for index in 0..<count {
            let event = SampleEvents.mixed(index, invalidEvery: 5)
            if event.isValid { valid += 1 }
            try producer.produce(
                topic: topic, key: Array("event-\(index)".utf8), value: event.body,
                headers: [KafkaHeader(name: "client-request-id", value: Array("demo-\(index)".utf8))],
                opaque: UInt64(index))
        }
        try producer.flush(timeout: .seconds(30))
        return (valid, count - valid)
    }
}
