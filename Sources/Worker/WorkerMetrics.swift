import CoreMetrics
import Kafka
import Synchronization

/// What the worker did, recorded once: each method below updates the Prometheus
/// family (through swift-metrics, named with a `usp_` prefix; docs/reference.md's "Metrics"
/// table lists them) and the run's ``WorkerStatistics`` (its summary) together.
/// An output (entity or dead letter) counts when the broker acknowledges it.
///
/// Made from the factory given to it, never from the process-wide
/// `MetricsSystem`: a process bootstraps that once, while tests and tools
/// choose per worker where the measurements go. Beside the metrics made here,
/// the HTTP listener adds those it derives from librdkafka's statistics
/// (consumer lag, publish retries).
public final class WorkerMetrics: Sendable {
    /// The run's totals, for its summary and for tests.
    public let statistics = WorkerStatistics()
    private let consumedRecords: Counter
    private let createdEntities: Counter
    private let commits: Counter
    /// Records consumed whose output is not acknowledged yet.
    private let inFlight: Gauge
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
    enum OutputKind: String, CaseIterable {
        case entity
        case deadLetter = "dead_letter"
    }

    /// Measurements that go to `factory`.
    public init(factory: any MetricsFactory) {
        self.factory = factory
        consumedRecords = Counter(label: Name.consumed, factory: factory)
        createdEntities = Counter(label: Name.created, factory: factory)
        commits = Counter(label: Name.commits, factory: factory)
        inFlight = Gauge(label: Name.inFlight, factory: factory)
        processing = Timer(label: Name.processing, factory: factory)
        publishing = Timer(label: Name.publishing, factory: factory)
        rebalances = Dictionary(
            uniqueKeysWithValues: RebalanceKind.allCases.map {
                ($0, Counter(label: Name.rebalances, dimensions: [("event", $0.rawValue)], factory: factory))
            })
        publishFailures = Dictionary(
            uniqueKeysWithValues: OutputKind.allCases.map {
                ($0, Counter(label: Name.publishFailures, dimensions: [("output", $0.rawValue)], factory: factory))
            })
    }

    /// Measurements that go nowhere (a worker nobody watches); each worker gets its
    /// own, since the totals in ``statistics`` are per run.
    public static var discarding: WorkerMetrics { WorkerMetrics(factory: NOOPMetricsHandler.instance) }

    /// A record taken from the input topic.
    func consumed() {
        statistics.consumed.add(1, ordering: .relaxed)
        consumedRecords.increment()
    }

    /// A record fetched for a partition no longer assigned (left to its new owner).
    func skippedUnassigned() {
        statistics.skippedUnassigned.add(1, ordering: .relaxed)
    }

    /// The records and bytes in flight after a poll.
    func inFlight(records: Int, peakBytes: Int) {
        statistics.peakInFlight.max(records, ordering: .relaxed)
        statistics.peakInFlightBytes.max(peakBytes, ordering: .relaxed)
        inFlight.record(records)
    }

    /// Entities the broker acknowledged.
    func created(count: Int = 1) {
        guard count > 0 else { return }
        statistics.created.add(count, ordering: .relaxed)
        createdEntities.increment(by: count)
    }

    /// A dead letter the broker acknowledged, by its top-level Graph error code.
    func deadLettered(code: String) {
        statistics.deadLettered.add(1, ordering: .relaxed)
        let counter = deadLetters.withLock { counters in
            if let counter = counters[code] { return counter }
            let counter = Counter(label: Name.deadLetters, dimensions: [("code", code)], factory: factory)
            counters[code] = counter
            return counter
        }
        counter.increment()
    }

    /// A record published nowhere (it stops the worker).
    func failed() {
        statistics.failed.add(1, ordering: .relaxed)
    }

    /// An offset commit the coordinator accepted.
    func committed() {
        statistics.commits.add(1, ordering: .relaxed)
        commits.increment()
    }

    /// A partition assignment, revocation or loss served.
    func rebalanced(_ event: RebalanceEvent) {
        statistics.rebalances.add(1, ordering: .relaxed)
        let kind: RebalanceKind =
            switch event {
            case .assigned: .assigned
            case .revoked: .revoked
            case .lost: .lost
            }
        rebalances[kind]?.increment()
    }

    /// An output the broker or the producer refused (it may be published again, smaller or as a dead letter).
    func publishFailed(_ kind: OutputKind) {
        publishFailures[kind]?.increment()
    }
}

extension Timer {
    func record(_ duration: Duration) {
        recordNanoseconds(duration.nanoseconds)
    }
}
