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
        if let setting = kafka.acknowledgementsBelowAll {
            throw .weakeningProperty(
                setting.key, value: setting.value,
                why: "an acknowledged output could be lost with its partition leader after its input was committed",
                instead: "\(setting.key)=all (or leave it unset)")
        }
        if let setting = kafka.idempotenceDisabled {
            throw .weakeningProperty(
                setting.key, value: setting.value,
                why: "the producer's retries could reorder or duplicate outputs",
                instead: "enable.idempotence=true (or leave it unset)")
        }
        if let setting = kafka.automaticOffsetStoreEnabled {
            throw .weakeningProperty(
                setting.key, value: setting.value,
                why: "offsets would be stored when records are consumed, and committed before their outputs "
                    + "are acknowledged",
                instead: "enable.auto.offset.store=false (or leave it unset)")
        }
        if let setting = kafka.maxInFlightRequests(above: 5) {
            throw .weakeningProperty(
                setting.key, value: setting.value,
                why: "the idempotent producer keeps outputs in order only with at most 5 requests in flight",
                instead: "\(setting.key) between 1 and 5 (or leave it unset)")
        }
    }
}
