import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Kafka
import Logging
import ServiceLifecycle

import func Foundation.fflush

/// `usp-worker broker`: the embedded cluster alone, for trying the worker,
/// kcat or any Kafka client on loopback without a real cluster.
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run the embedded Kafka cluster (librdkafka's mock brokers) and print its bootstrap servers.")

    @Option(help: "Number of brokers.")
    var brokers = 1

    @Option(help: "Partitions of each topic created at start.")
    var partitions: Int32 = 6

    @OptionGroup var topics: TopicOptions

    func run() async throws {
        guard brokers > 0, partitions > 0 else { throw ValidationError("--brokers and --partitions must be positive") }
        let cluster = try EmbeddedKafkaCluster(brokers: brokers)
        let names = topics.topics
        for topic in [names.input, names.output, names.deadLetter] {
            try cluster.createTopic(topic, partitions: partitions)
        }
        print(cluster.bootstrapServers)
        print("topics: \(names.input), \(names.output), \(names.deadLetter) (\(partitions) partitions each); Ctrl-C stops")
        // Scripts read the address from a pipe or a file while the cluster runs
        // (fflush(NULL) flushes every stream, standard output among them).
        fflush(nil)
        let group = ServiceGroup(
            services: [UntilShutdown()], gracefulShutdownSignals: [.sigterm, .sigint],
            logger: Logger(label: "usp-worker.broker"))
        try await group.run()
        cluster.close()
    }
}

/// A service that only waits for the shutdown signal.
private struct UntilShutdown: Service {
    func run() async throws {
        try? await gracefulShutdown()
    }
}
