import ArgumentParser
import Worker

/// The three topic names, each overridable.
struct TopicOptions: ParsableArguments {
    @Option(help: "Inbound creation events (env USP_INPUT_TOPIC).")
    var inputTopic: String?

    @Option(help: "Created entities (env USP_OUTPUT_TOPIC).")
    var outputTopic: String?

    @Option(help: "Dead letters (env USP_DEAD_LETTER_TOPIC).")
    var deadLetterTopic: String?

    var topics: WorkerConfiguration.Topics {
        let defaults = WorkerConfiguration.Topics()
        return WorkerConfiguration.Topics(
            input: inputTopic ?? environment("INPUT_TOPIC") ?? defaults.input,
            output: outputTopic ?? environment("OUTPUT_TOPIC") ?? defaults.output,
            deadLetter: deadLetterTopic ?? environment("DEAD_LETTER_TOPIC") ?? defaults.deadLetter)
    }
}
