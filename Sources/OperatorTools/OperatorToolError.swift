import Kafka

/// Why a backfill or a replay stopped. Each case has a stable ``code`` for
/// scripts and a ``description`` for people that names what failed: the
/// file, the line, the dead letter's coordinates. No message ever holds a
/// record's bytes or a secret.
public enum OperatorToolError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The input file cannot be opened or read.
    case unreadableInput(path: String, reason: String)
    /// The gzip stream is corrupt, or ends before its last member does.
    case corruptGzip(path: String, reason: String)
    /// A topic the tool needs does not exist (or its metadata cannot be had).
    case missingTopic(String, KafkaError)
    /// The broker (or librdkafka) refused a backfill line: at enqueue time or
    /// in its delivery report. `failedLines` counts every line that failed.
    case lineNotDelivered(line: Int, failedLines: Int, KafkaError)
    /// A dead letter could not be sent back to the inbound topic; nothing
    /// from its batch was committed, so the next replay sends it again.
    case deadLetterNotReplayed(TopicPartitionOffset, failed: Int, KafkaError)
    /// A replay with its own `authorization` header (`--bearer-token-file`) was asked for
    /// letters refused their caller's token (401, 403); nothing was sent. `letters` counts
    /// those its range holds, `byCode` by `error-code`.
    case operatorTokenOnRefusedCallers(letters: Int, byCode: [String: Int])
    /// A dead-letter partition stopped short of the end offset taken at start.
    case replayStalled(partitions: [TopicPartitionOffset], waited: Duration)
    /// Any other Kafka failure: configuration, fatal client error, commit.
    case kafka(KafkaError, while: String)

    /// A stable name for the failure, for scripts and alerts.
    public var code: String {
        switch self {
        case .unreadableInput: "UNREADABLE_INPUT"
        case .corruptGzip: "CORRUPT_GZIP"
        case .missingTopic: "MISSING_TOPIC"
        case .lineNotDelivered: "LINE_NOT_DELIVERED"
        case .deadLetterNotReplayed: "DEAD_LETTER_NOT_REPLAYED"
        case .operatorTokenOnRefusedCallers: "OPERATOR_TOKEN_ON_REFUSED_CALLERS"
        case .replayStalled: "REPLAY_STALLED"
        case .kafka: "KAFKA"
        }
    }

    /// `<code>: <what failed, and where>`.
    public var description: String {
        switch self {
        case .unreadableInput(let path, let reason):
            "\(code): cannot read \(path): \(reason)"
        case .corruptGzip(let path, let reason):
            "\(code): \(path) is not a complete gzip file: \(reason)"
        case .missingTopic(let topic, let error):
            "\(code): topic \(topic): \(error)"
        case .lineNotDelivered(let line, let failedLines, let error):
            "\(code): line \(line) was not delivered: \(error)"
                + (failedLines > 1 ? " (\(failedLines) lines failed; the first is named)" : "")
        case .deadLetterNotReplayed(let letter, let failed, let error):
            "\(code): dead letter \(letter) was not replayed: \(error)"
                + (failed > 1 ? " (\(failed) failed in its batch; the first is named)" : "")
        case .operatorTokenOnRefusedCallers(let letters, let byCode):
            "\(code): refused to replay \(letters) dead letter(s) of callers refused for their token ("
                + (byCode.isEmpty
                    ? "none in range now"
                    : byCode.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
                + ") with --bearer-token-file: they would be created under your identity. Nothing was sent. "
                + "Replay them without --bearer-token-file (they are checked again as they were), or have their "
                + "callers resubmit them with their own tokens"
        case .replayStalled(let partitions, let waited):
            "\(code): no record for \(waited) while "
                + partitions.map { "\($0.topicPartition) was short of offset \($0.offset)" }.joined(separator: ", ")
        case .kafka(let error, let action):
            "\(code): \(action): \(error)"
        }
    }
}
