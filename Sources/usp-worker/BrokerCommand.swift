import ArgumentParser
import Foundation
import Kafka
import Logging
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// `usp-worker broker`: the embedded cluster alone, for trying the worker,
/// kcat or any Kafka client on loopback without a real cluster.
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run the embedded Kafka cluster (librdkafka's mock brokers) and print its bootstrap servers.",
        discussion: """
            Control lines on standard input stage outages: `down <id|all>` disconnects brokers \
            and refuses connections, `up <id|all>` accepts them again, `rtt <id|all> <ms>` delays \
            every response, `create <topic> <partitions>` creates a topic. Each line is answered \
            on standard output with `ok <line>` or `error: <why>`.
            """)

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
        print(
            "topics: \(names.input), \(names.output), \(names.deadLetter) (\(partitions) partitions each); Ctrl-C stops"
        )
        // Scripts read the address from a pipe or a file while the cluster runs
        // (fflush(NULL) flushes every stream, standard output among them).
        fflush(nil)
        Self.serveControlLines(cluster)
        let group = ServiceGroup(
            services: [UntilShutdown()], gracefulShutdownSignals: [.sigterm, .sigint],
            logger: Logger(label: "usp-worker.broker"))
        try await group.run()
        cluster.close()
    }
}

extension BrokerCommand {
    /// Reads control lines from standard input on a thread of their own (reading
    /// blocks) until it ends; see `BrokerControl`.
    static func serveControlLines(_ cluster: EmbeddedKafkaCluster) {
        let thread = Thread {
            while let line = readLine() {
                let text = line.trimmingCharacters(in: .whitespaces)
                guard !text.isEmpty else { continue }
                do {
                    try BrokerControl.parse(text).apply(to: cluster)
                    print("ok \(text)")
                } catch {
                    print("error: \(error)")
                }
                fflush(nil)
            }
        }
        thread.name = "usp-broker-control"
        thread.start()
    }
}

/// A service that only waits for the shutdown signal.
private struct UntilShutdown: Service {
    func run() async throws {
        try? await gracefulShutdown()
    }
}
