import ArgumentParser
import CreatePipeline
import OperatorTools

/// `usp-worker backfill`: a JSON-lines file into the inbound topic, one
/// record per line, re-runnable without creating anything twice.
struct BackfillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Produce a JSON-lines file (plain or gzip) into the inbound topic, one creation event per line.",
        discussion: """
            Each line becomes one record whose value is the line and whose key and idempotency-key \
            header are derived from the line's number and bytes, so running the same file again \
            creates the same entity ids. Blank lines are skipped; lines above --max-body-size (or \
            librdkafka's message.max.bytes) are \
            not produced and are listed at the end. Waits for every delivery (acks=all), then \
            prints a summary line on standard output. Exit status: 0 when every line with content \
            was delivered, 1 when lines were too large, 2 when the input or Kafka failed (the \
            message names the line).
            """)

    @Option(
        help: ArgumentHelp(
            "The JSON-lines file, plain or gzip (recognised by its content); - for standard input.", valueName: "path"))
    var input: String

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var topics: TopicOptions

    @Option(
        help:
            "Lines longer than this many bytes are not produced, as the worker would refuse them (env USP_MAX_BODY_SIZE)."
    )
    var maxBodySize: Int?

    @OptionGroup var tool: OperatorToolOptions

    func run() throws {
        let limit =
            try maxBodySize ?? environment("MAX_BODY_SIZE", as: Int.self) ?? CreatePipeline.defaultMaximumBodySize
        guard limit > 0 else { throw ValidationError("--max-body-size must be positive") }
        var configuration = BackfillConfiguration(
            input: input, topic: topics.topics.input, kafka: try kafka.kafkaConfiguration(), maximumLineSize: limit,
            extraHeaders: try tool.extraHeaders())
        let summary = try tool.run("backfill") {
            (interval, report: (BackfillProgress) -> Void) throws(OperatorToolError) in
            configuration.progressInterval = interval
            return try Backfill.run(configuration, progress: report)
        }
        if summary.oversizedCount > 0 {
            let listed = summary.oversizedLines.map(String.init).joined(separator: ", ")
            let more = summary.oversizedCount - summary.oversizedLines.count
            ProgressDisplay.writeToStandardError(
                "usp-worker backfill: \(summary.oversizedCount) lines above --max-body-size \(limit) or message.max.bytes were not produced: "
                    + listed + (more > 0 ? " and \(more) more" : "") + "\n")
        }
        print("summary: \(summary)")
        if summary.oversizedCount > 0 { throw ExitCode(1) }
    }
}
