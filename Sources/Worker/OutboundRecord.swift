import Kafka

/// One record to publish: an entity for the output topic, or a dead letter.
struct OutboundRecord: Sendable {
    enum Kind: Sendable, Equatable {
        case entity
        case deadLetter(status: Int, code: String)
    }

    var kind: Kind
    var topic: String
    var key: [UInt8]?
    var value: [UInt8]?
    var headers: [KafkaHeader]
    /// For a dead letter: its error and how much of it was left out to fit.
    var deadLetter: DeadLetterAttempt? = nil
}
