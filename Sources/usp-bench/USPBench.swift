import ArgumentParser

/// `usp-bench`: throughput benchmarks that print their figures.
@main
struct USPBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usp-bench",
        abstract: "Benchmarks for the create pipeline, the bearer-token check, the Kafka layer and the worker.",
        subcommands: [
            PipelineBenchmark.self, ProcessBenchmark.self, KafkaConsumeBenchmark.self, KafkaProduceBenchmark.self, KafkaScenario.self,
            WorkerBenchmark.self, AuthenticationBenchmark.self,
        ]
    )
}
