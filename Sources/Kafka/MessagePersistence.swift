internal import CRdKafka

/// Whether a produced message is in its partition's log, as far as librdkafka knows when it
/// reports the delivery (`rd_kafka_message_status`).
///
/// It tells a failure that certainly wrote nothing from one that may have written the
/// message: a caller that answers someone else ("try again" or "look first") needs the
/// difference, since sending a possibly persisted message again may write it twice.
public enum MessagePersistence: UInt8, Sendable, Hashable {
    /// Certainly not written: it never reached a broker, or a broker refused it.
    case notPersisted
    /// Sent, but no acknowledgement came (its request timed out in flight, its connection
    /// broke): the broker may have written it.
    case possiblyPersisted
    /// Written and acknowledged (`acks`).
    case persisted

    init(_ status: rd_kafka_msg_status_t) {
        switch status {
        case RD_KAFKA_MSG_STATUS_PERSISTED: self = .persisted
        case RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED: self = .possiblyPersisted
        default: self = .notPersisted
        }
    }
}
