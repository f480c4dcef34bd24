import Kafka

/// Why the worker stopped with a failure. The code is stable; the message is for people.
public struct WorkerError: Error, Sendable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case kafka = "KAFKA"
        case unpublishable = "UNPUBLISHABLE_RECORD"
        case shutdownTimedOut = "SHUTDOWN_TIMED_OUT"
        case revokeTimedOut = "REVOKE_TIMED_OUT"
    }

    private let code: Code
    /// What happened, for people; names topic, partition and offset where one record is at fault.
    public let message: String

    /// The stable code, e.g. `UNPUBLISHABLE_RECORD`.
    public var codeName: String { code.rawValue }
    public var description: String { "\(code.rawValue): \(message)" }

    /// A Kafka client error that stops the worker (a fatal producer or consumer error).
    static func kafka(_ error: KafkaError, while doing: String) -> WorkerError {
        WorkerError(code: .kafka, message: "\(doing): \(error)")
    }

    /// A record that could be published neither as an entity nor as a dead letter.
    static func unpublishable(topic: String, partition: Int32, offset: Int64, reason: String) -> WorkerError {
        WorkerError(
            code: .unpublishable,
            message:
                "record \(topic)/\(partition)@\(offset) could be published neither as an entity nor as a dead letter (\(reason)); its partition was not committed past it"
        )
    }

    static func shutdownTimedOut(_ bound: Duration, inFlight: Int) -> WorkerError {
        WorkerError(
            code: .shutdownTimedOut,
            message:
                "\(inFlight) records were still unacknowledged after the shutdown bound of \(bound); only their acknowledged prefix was committed"
        )
    }

    static func revokeTimedOut(_ bound: Duration, partitions: [Int32]) -> WorkerError {
        WorkerError(
            code: .revokeTimedOut,
            message:
                "revoked partitions \(partitions) did not settle within \(bound); only their acknowledged prefix was committed"
        )
    }
}
