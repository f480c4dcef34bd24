import ArgumentParser
import OperatorTools

/// `usp-worker replay`: dead letters back to the inbound topic, after a fix.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract:
            "Send dead letters back to the inbound topic: original key, value and headers, error headers removed.",
        discussion: """
            Reads the dead-letter topic from the replay group's committed offsets (the earliest \
            offset for a new group) to the end offsets it has at start, sends the letters the \
            filters accept to the inbound topic (acks=all), and commits each batch once it is \
            acknowledged, so the next replay in the same group sends only newer letters. The \
            group defaults to usp-worker-replay followed by the filters, so replays with \
            different filters keep separate places. A letter without an idempotency-key gets \
            one derived from where it came from, so a letter sent twice creates one entity. \
            Letters of refused callers (InvalidAuthenticationToken, Forbidden) are replayed only \
            when named with --error-code, and never with --bearer-token-file: that is refused, \
            naming how many there are, and nothing is sent. \
            A letter the worker published without its value, headers or key (too large to \
            publish whole) gets them back from its source record while the inbound topic keeps \
            it; letters whose source is gone are listed on standard error and left in the \
            dead-letter topic. Prints a summary line on standard output; exit status 1 when a \
            letter's source was gone, 2 when Kafka failed or the replay was refused.
            """)

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var topics: TopicOptions

    @Option(
        name: .customLong("error-code"),
        help: ArgumentHelp(
            "Replay only letters with this error-code (BadRequest, RequestEntityTooLarge, EntityNotPublished, …); repeatable (env USP_REPLAY_ERROR_CODES, comma-separated). InvalidAuthenticationToken and Forbidden are replayed only when named, never with --bearer-token-file.",
            valueName: "code"))
    var errorCodes: [String] = []

    @Option(
        name: .customLong("source-partition"),
        help: ArgumentHelp(
            "Replay only letters from this partition of the inbound topic; repeatable (env USP_REPLAY_SOURCE_PARTITIONS, comma-separated).",
            valueName: "partition"))
    var sourcePartitions: [Int32] = []

    @Option(
        help:
            "Consumer group that remembers what was replayed (env USP_REPLAY_GROUP; default usp-worker-replay plus the filters)."
    )
    var replayGroup: String?

    @Flag(help: "Count what would be replayed; send and commit nothing.")
    var dryRun = false

    @OptionGroup var tool: OperatorToolOptions

    func filter() throws -> ReplayFilter {
        var codes = errorCodes
        if codes.isEmpty, let text = environment("REPLAY_ERROR_CODES") {
            codes = text.split(separator: ",").map(String.init)
        }
        var partitions = sourcePartitions
        if partitions.isEmpty, let text = environment("REPLAY_SOURCE_PARTITIONS") {
            for item in text.split(separator: ",") {
                guard let partition = Int32(item), partition >= 0 else {
                    throw ValidationError("USP_REPLAY_SOURCE_PARTITIONS: cannot read '\(item)'")
                }
                partitions.append(partition)
            }
        }
        if let negative = partitions.first(where: { $0 < 0 }) {
            throw ValidationError("--source-partition: \(negative) is not a partition")
        }
        return ReplayFilter(errorCodes: Set(codes), sourcePartitions: Set(partitions))
    }

    func run() throws {
        let names = topics.topics
        var configuration = ReplayConfiguration(
            deadLetterTopic: names.deadLetter, inputTopic: names.input, kafka: try kafka.kafkaConfiguration(),
            filter: try filter(), group: replayGroup ?? environment("REPLAY_GROUP"), dryRun: dryRun,
            extraHeaders: try tool.extraHeaders())
        let summary = try tool.run("replay") { (interval, report: (ReplayProgress) -> Void) throws(OperatorToolError) in
            configuration.progressInterval = interval
            return try DeadLetterReplay.run(configuration, progress: report)
        }
        if !summary.sourceGone.isEmpty {
            ProgressDisplay.writeToStandardError(
                "usp-worker replay: \(summary.sourceGone.count) letters were not replayed, their source is gone "
                    + "(they stay in \(names.deadLetter)): "
                    + summary.sourceGone.map(\.description).joined(separator: ", ") + "\n")
        }
        print("summary: \(summary)")
        if !summary.sourceGone.isEmpty { throw ExitCode(1) }
    }
}
