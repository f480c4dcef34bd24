import CoreMetrics
import Kafka
import Synchronization

/// The worker's measurements, through swift-metrics, named Prometheus-style
/// with a `usp_` prefix (the README's "Metrics" table lists them).
///
/// Made from the factory given to it, never from the process-wide
/// `MetricsSystem`: a process bootstraps that once, while tests and tools
/// choose per worker where the measurements go. Beside the metrics made here,
/// the HTTP listener adds those it derives from librdkafka's statistics
/// (consumer lag, publish retries).
public final class WorkerMetrics: Sendable {
    /// Records taken from the input topic.
    let consumed: Counter
    /// Entities the broker acknowledged.
    let created: Counter
    /// Offset commits sent.
    let commits: Counter
    /// Records consumed whose output is not acknowledged yet (or is, behind one that is not).
    let inFlight: Gauge
    /// From taking a record off the consumer to handing its output to the producer.
    let processing: Timer
    /// From handing an output to the producer to the broker's acknowledgement.
    let publishing: Timer
    private let rebalances: [RebalanceKind: Counter]
    private let publishFailures: [OutputKind: Counter]
    private let factory: any MetricsFactory
    /// Dead-letter counters by error code, made on first use; the codes are the
    /// few top-level Graph codes, so the map stays small.
    private let deadLetters = Mutex<[String: Counter]>([:])

    /// Metric names, shared with the listener that renders them.
    public enum Name {
        public static let consumed = "usp_records_consumed_total"
        public static let created = "usp_entities_created_total"
        public static let deadLetters = "usp_dead_letters_total"
        public static let publishFailures = "usp_publish_failures_total"
        public static let commits = "usp_commits_total"
        public static let rebalances = "usp_rebalances_total"
        public static let inFlight = "usp_records_in_flight"
        public static let processing = "usp_processing_duration_seconds"
        public static let publishing = "usp_publish_duration_seconds"
    }

    enum RebalanceKind: String, CaseIterable { case assigned, revoked, lost }
    enum OutputKind: String, CaseIterable { case entity, deadLetter = "dead_letter" }

    /// Measurements that go to `factory`.
    public init(factory: any MetricsFactory) {
        self.factory = factory
        consumed = Counter(label: Name.consumed, factory: factory)
        created = Counter(label: Name.created, factory: factory)
        commits = Counter(label: Name.commits, factory: factory)
        inFlight = Gauge(label: Name.inFlight, factory: factory)
        processing = Timer(label: Name.processing, factory: factory)
        publishing = Timer(label: Name.publishing, factory: factory)
        rebalances = Dictionary(uniqueKeysWithValues: RebalanceKind.allCases.map {
            ($0, Counter(label: Name.rebalances, dimensions: [("event", $0.rawValue)], factory: factory))
        })
        publishFailures = Dictionary(uniqueKeysWithValues: OutputKind.allCases.map {
            ($0, Counter(label: Name.publishFailures, dimensions: [("output", $0.rawValue)], factory: factory))
        })
    }

    /// Measurements that go nowhere (a worker nobody watches).
    public static let discarding = WorkerMetrics(factory: NOOPMetricsHandler.instance)

    func deadLettered(code: String) {
        let counter = deadLetters.withLock { counters in
            if let counter = counters[code] { return counter }
            let counter = Counter(label: Name.deadLetters, dimensions: [("code", code)], factory: factory)
            counters[code] = counter
            return counter
        }
        counter.increment()
    }

    func rebalanced(_ event: RebalanceEvent) {
        let kind: RebalanceKind =
            switch event {
            case .assigned: .assigned
            case .revoked: .revoked
            case .lost: .lost
            }
        rebalances[kind]?.increment()
    }

    func publishFailed(_ kind: OutputKind) {
        publishFailures[kind]?.increment()
    }
}

extension Timer {
    func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
