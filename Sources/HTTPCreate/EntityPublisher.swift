import Kafka
import Logging
import OutboundRecords
import ServiceLifecycle

/// Publishes created entities to the outbound topic and tells each caller whether the
/// brokers acknowledged its record (`acks=all`), so that `201 Created` is answered only
/// for entities that are on the topic.
///
/// It has a producer of its own, apart from the worker's, for two reasons: its
/// `message.timeout.ms` is short (an HTTP caller waits for the answer, while the worker
/// must keep retrying), and its queue bound is its own, so HTTP load never holds up the
/// worker's window and a full queue answers 503 at once.
///
/// As a `Service` it runs until graceful shutdown and then closes the producer; list it
/// before the HTTP listener in a service group, so the listener stops first.
public final class EntityPublisher: Service, Sendable {
    /// The outbound topic.
    public let topic: String
    /// The producer's `message.timeout.ms`: the longest a record waits for its acknowledgement.
    public let deliveryTimeout: Duration
    private let producer: KafkaProducer
    private let waiters: DeliveryWaiters

    /// Creates the producer (it connects in the background).
    ///
    /// - Parameters:
    ///   - kafka: the user's librdkafka properties (brokers, TLS, SASL…); consumer-only
    ///     ones are left out. `message.timeout.ms` is set to `deliveryTimeout` whatever
    ///     they say; `linger.ms` is 1 unless they set it; the Kafka layer's defaults
    ///     (`acks=all`, idempotence, a queue of 20,000 messages) apply unless they are set.
    ///   - deliveryTimeout: how long a record may wait for its acknowledgement before
    ///     librdkafka gives up on it (and the request is answered 503).
    /// - Throws: an invalid property, named in the error.
    public init(
        kafka: KafkaConfiguration, topic: String, deliveryTimeout: Duration = .seconds(5), logger: Logger
    ) throws(KafkaError) {
        var configuration = kafka.withoutConsumerOnlyProperties
        // At least 1 ms: librdkafka reads 0 as "no timeout".
        configuration.messageTimeout = max(deliveryTimeout, .milliseconds(1))
        if configuration["linger.ms"] == nil {
            // Every request waits for its batch: 1 ms instead of 5 doubled the creates per second
            // at 64–96 connections on the embedded cluster (docs/performance.md, "Benchmarks"); requests in
            // flight still share batches.
            configuration["linger.ms"] = "1"
        }
        let waiters = DeliveryWaiters()
        self.topic = topic
        self.deliveryTimeout = deliveryTimeout
        self.waiters = waiters
        self.producer = try KafkaProducer(
            configuration: configuration,
            onDelivery: { waiters.handle($0) },
            onError: { error in
                logger.warning("kafka producer (HTTP create): \(error)", metadata: ["code": "\(error.code.name)"])
            })
    }

    /// Enqueues the record and waits for its delivery report.
    ///
    /// - Returns: nil when the brokers acknowledged it; otherwise why not: `.queueFull`
    ///   (nothing was enqueued), `.msgSizeTooLarge`, `_MSG_TIMED_OUT` after
    ///   `deliveryTimeout`, a purge error when the publisher closed, or the broker's error;
    ///   with librdkafka's verdict on whether the record may have been written anyway.
    func publish(_ record: CreatedEntityRecord) async -> PublishFailure? {
        await waiters.deliver { opaque in
            do throws(KafkaError) {
                try producer.produce(
                    topic: topic, key: record.key, value: record.value, headers: record.headers, opaque: opaque)
                return nil
            } catch {
                return error
            }
        }
    }

    /// Waits for graceful shutdown, then closes the producer.
    public func run() async throws {
        try? await gracefulShutdown()
        close()
    }

    /// Waits up to `deliveryTimeout` (and one more second) for the records in flight, then
    /// purges what is left: every waiting request gets an answer. Idempotent.
    public func close() {
        producer.close(timeout: deliveryTimeout + .seconds(1))
    }
}
