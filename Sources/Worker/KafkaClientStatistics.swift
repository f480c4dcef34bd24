import Synchronization

/// The latest statistics each of the worker's Kafka clients reported:
/// librdkafka's JSON document, every `statistics.interval.ms` (none while it is
/// 0, librdkafka's default).
///
/// Kept as text: the polling and delivery threads that receive it only store
/// it, and whoever reads it (the HTTP listener, on a request) parses it.
public final class KafkaClientStatistics: Sendable {
    /// One document and when it arrived.
    public struct Snapshot: Sendable {
        public var json: String
        public var receivedAt: ContinuousClock.Instant
    }

    /// Written by the polling and delivery threads, read by request handlers.
    private let latest = Mutex<(consumer: Snapshot?, producer: Snapshot?)>((nil, nil))

    public init() {}

    /// The consumer's latest document: its group, assignment and offsets.
    public var consumer: Snapshot? { latest.withLock { $0.consumer } }
    /// The producer's latest document: its broker connections and retries.
    public var producer: Snapshot? { latest.withLock { $0.producer } }

    func storeConsumer(_ json: String) {
        let snapshot = Snapshot(json: json, receivedAt: .now)
        latest.withLock { $0.consumer = snapshot }
    }

    func storeProducer(_ json: String) {
        let snapshot = Snapshot(json: json, receivedAt: .now)
        latest.withLock { $0.producer = snapshot }
    }
}
