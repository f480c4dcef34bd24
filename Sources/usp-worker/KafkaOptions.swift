import ArgumentParser
import Kafka

/// The flags `run` shares with the tools that talk to the same cluster.
/// Each flag may also come from the environment (`--brokers` from
/// `USP_BROKERS`, …); a flag on the command line wins.
struct KafkaOptions: ParsableArguments {
    @Option(help: "Bootstrap servers, host:port[,host:port…] (env USP_BROKERS).")
    var brokers: String?

    @Option(
        name: .customLong("kafka-property"),
        help: ArgumentHelp(
            "Any librdkafka property, key=value; repeatable (env USP_KAFKA_PROPERTIES, comma-separated).",
            valueName: "key=value"))
    var kafkaProperties: [String] = []

    @Option(
        help:
            "A Java-style properties file of librdkafka properties, for secrets kept off the command line (env USP_KAFKA_PROPERTIES_FILE)."
    )
    var kafkaPropertiesFile: String?

    /// The librdkafka configuration: the file first, then `--kafka-property`, then `--brokers`.
    func kafkaConfiguration() throws -> KafkaConfiguration {
        var configuration = KafkaConfiguration()
        if let file = kafkaPropertiesFile ?? environment("KAFKA_PROPERTIES_FILE") {
            try configuration.merge(propertiesFile: file)
        }
        var pairs = kafkaProperties
        if pairs.isEmpty, let fromEnvironment = environment("KAFKA_PROPERTIES") {
            pairs = fromEnvironment.split(separator: ",").map(String.init)
        }
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                // Only the part before "=" is named: what follows may be a secret.
                throw ValidationError("--kafka-property expects key=value, got '\(pair.prefix { $0 != "=" })…'")
            }
            configuration[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        if let brokers = brokers ?? environment("BROKERS") {
            configuration.bootstrapServers = brokers
        }
        guard configuration.bootstrapServers != nil else {
            throw ValidationError("no brokers: give --brokers, USP_BROKERS or bootstrap.servers")
        }
        return configuration
    }
}
