import ArgumentParser

import struct Foundation.URL

/// `usp-bench`: throughput benchmarks that print their figures.
@main
struct USPBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usp-bench",
        abstract: "Benchmarks for the create pipeline, the bearer-token check, the Kafka layer and the worker.",
        subcommands: [
            PipelineBenchmark.self, ProcessBenchmark.self, KafkaConsumeBenchmark.self, KafkaProduceBenchmark.self,
            KafkaScenario.self,
            WorkerBenchmark.self, AuthenticationBenchmark.self,
        ]
    )
}

/// The `usp-worker` built beside this `usp-bench`, for the benchmarks that time it as a process.
func siblingUSPWorker() -> String {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("usp-worker").path
}
