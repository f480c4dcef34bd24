import Kafka

/// The librdkafka properties that would weaken the contract's delivery promises,
/// refused at start with a message that names the property (the contract's
/// "Delivery"). Setting one to its strong value, or stronger, is allowed.
///
/// - `acks` (`request.required.acks`) other than `all`/`-1`: an acknowledged output
///   could be lost with its leader, after its input was committed.
/// - `enable.idempotence=false`: the producer's retries could reorder or duplicate.
/// - `enable.auto.offset.store=true`: librdkafka would store an offset when the
///   record is consumed, so it could be committed before its output is acknowledged.
/// - `max.in.flight.requests.per.connection` (`max.in.flight`) above 5: the
///   idempotent producer keeps order only up to 5.
public enum DeliveryGuarantees {
    /// Throws for the first weakening property, in the order above.
    public static func check(_ kafka: KafkaConfiguration) throws(WorkerConfigurationError) {
        for key in ["acks", "request.required.acks"] {
            guard let value = kafka[key] else { continue }
            let trimmed = value.trimmingSpaces.lowercased()
            if trimmed != "all" && trimmed != "-1" {
                throw .weakeningProperty(
                    key, value: value,
                    why: "an acknowledged output could be lost with its partition leader after its input was committed",
                    instead: "\(key)=all (or leave it unset)")
            }
        }
        if let value = kafka["enable.idempotence"], isFalse(value) {
            throw .weakeningProperty(
                "enable.idempotence", value: value,
                why: "the producer's retries could reorder or duplicate outputs",
                instead: "enable.idempotence=true (or leave it unset)")
        }
        if let value = kafka["enable.auto.offset.store"], !isFalse(value) {
            throw .weakeningProperty(
                "enable.auto.offset.store", value: value,
                why: "offsets would be stored when records are consumed, and committed before their outputs "
                    + "are acknowledged",
                instead: "enable.auto.offset.store=false (or leave it unset)")
        }
        for key in ["max.in.flight.requests.per.connection", "max.in.flight"] {
            guard let value = kafka[key], let count = Int(value.trimmingSpaces), count > 5 else { continue }
            throw .weakeningProperty(
                key, value: value,
                why: "the idempotent producer keeps outputs in order only with at most 5 requests in flight",
                instead: "\(key) between 1 and 5 (or leave it unset)")
        }
    }

    /// librdkafka's spellings of false (its boolean parser takes `false`, `f` and `0`).
    private static func isFalse(_ value: String) -> Bool {
        ["false", "f", "0"].contains(value.trimmingSpaces.lowercased())
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
