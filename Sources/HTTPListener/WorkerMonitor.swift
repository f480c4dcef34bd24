import CoreMetrics
import Logging
import Synchronization
import Worker

/// Watches one worker for `/readyz`, `/livez` and the metrics that come from
/// librdkafka's statistics (consumer lag, publish retries, connections).
///
/// It reads the clients' latest statistics documents when asked (on each
/// request), so the worker's polling and delivery threads never parse JSON.
/// The stuck-partition clock therefore advances in steps of the requests'
/// period (Kubernetes probes every few seconds), well inside any sensible bound.
public final class WorkerMonitor: Sendable {
    /// How long an assigned partition may have lag without its committed offset
    /// moving before `/livez` fails.
    public let stuckPartitionTimeout: Duration
    private let worker: Worker
    private let logger: Logger
    /// librdkafka's `statistics.interval.ms`; nil when statistics are off.
    private let statisticsInterval: Duration?
    /// Whether a partition the group never committed is read from its start
    /// (`auto.offset.reset` earliest, the worker's default): all of it is then lag.
    private let startsFromEarliest: Bool
    private let createdAt = ContinuousClock.now
    /// Shared by concurrent requests.
    private let state: Mutex<State>

    private struct State: Sendable {
        var consumer: Parsed?
        var producer: Parsed?
        var progress = PartitionProgress()
        var stuckPartitions: Set<Int32> = []
        var metrics: DerivedMetrics
    }

    /// A statistics document as read, or why it could not be.
    private struct Parsed: Sendable {
        var receivedAt: ContinuousClock.Instant
        var document: Result<KafkaStatisticsDocument, StatisticsError>
    }

    struct StatisticsError: Error, Sendable {
        var message: String
    }

    /// Watches `worker`, sending the metrics it derives to `metricsFactory`.
    public init(
        worker: Worker, stuckPartitionTimeout: Duration, metricsFactory: any MetricsFactory, logger: Logger
    ) {
        self.worker = worker
        self.stuckPartitionTimeout = stuckPartitionTimeout
        self.logger = logger
        let kafka = worker.configuration.kafka
        statisticsInterval = kafka.statisticsInterval.flatMap { $0 > .zero ? $0 : nil }
        // Not set: the worker's own default, earliest.
        startsFromEarliest = kafka.startsFromEarliest ?? true
        state = Mutex(State(metrics: DerivedMetrics(factory: metricsFactory, topic: worker.configuration.topics.input)))
    }

    // MARK: The checks

    /// Ready: the worker is in its group with its assignment (possibly empty),
    /// its producer is connected to the cluster, and it is neither starting,
    /// draining nor stopped.
    public func readiness(now: ContinuousClock.Instant = .now) -> HealthReport {
        let state = update(now: now)
        let health = worker.health.current
        var reasons: [String] = []
        switch health {
        case .starting: reasons.append("the worker is starting")
        case .joining, .consuming: break
        case .draining: reasons.append("the worker is draining before it stops")
        case .stopped: reasons.append("the worker has stopped")
        case .failed: reasons.append("the worker failed")
        }
        if let statisticsInterval {
            let freshness = max(statisticsInterval * 3, .seconds(5))
            switch current(state.consumer, now: now, freshness: freshness, client: "consumer") {
            case .failure(let error): reasons.append(error.message)
            case .success(let consumer):
                if let group = consumer.cgrp, group.state != "up" {
                    reasons.append(
                        "the consumer is not connected to its group coordinator (group state \(group.state))")
                } else if let group = consumer.cgrp, group.joinState != "steady" {
                    reasons.append("the consumer is joining its group (join state \(group.joinState))")
                }
            }
            switch current(state.producer, now: now, freshness: freshness, client: "producer") {
            case .failure(let error): reasons.append(error.message)
            case .success(let producer):
                if producer.connectedBrokers == 0 {
                    reasons.append("the producer has no connection to a broker, so it cannot publish")
                }
            }
        } else if health == .joining {
            // Without statistics, the only sign of membership is an assignment.
            reasons.append("the worker has no partition assignment yet")
        }
        return HealthReport(check: .readiness, worker: health.rawValue, reasons: reasons)
    }

    /// Live unless the worker failed, an assigned partition is stuck (lag without
    /// progress beyond the bound), or the consumer's statistics stopped coming
    /// for longer than the bound while the worker runs (its polling thread is
    /// not polling).
    public func liveness(now: ContinuousClock.Instant = .now) -> HealthReport {
        let state = update(now: now)
        let health = worker.health.current
        var reasons: [String] = []
        if health == .failed {
            reasons.append("the worker failed; it stops with its error")
        }
        let stuck = state.progress.stuck(now: now, bound: stuckPartitionTimeout)
        for partition in stuck {
            reasons.append(
                "partition \(worker.configuration.topics.input)[\(partition.partition)] has had a lag of "
                    + "\(partition.lag) for \(partition.secondsWithoutProgress) s without its committed offset moving")
        }
        if let statisticsInterval, health == .joining || health == .consuming {
            let since = state.consumer?.receivedAt ?? createdAt
            let silence = since.duration(to: now)
            // Never sooner than three statistics intervals, however long those are.
            if silence > max(stuckPartitionTimeout, statisticsInterval * 3) {
                reasons.append(
                    "no statistics from the consumer for \(silence.components.seconds) s: its polling thread is not polling"
                )
            }
        }
        return HealthReport(
            check: .liveness, worker: health.rawValue, reasons: reasons,
            stuckPartitions: stuck.map {
                .init(
                    topic: worker.configuration.topics.input, partition: $0.partition, lag: $0.lag,
                    secondsWithoutProgress: $0.secondsWithoutProgress)
            })
    }

    /// Reads the latest statistics (when new) into the lag gauges, the retry
    /// counter and the progress of each partition. `/metrics` calls it before
    /// rendering; the checks call it themselves.
    public func refresh(now: ContinuousClock.Instant = .now) {
        _ = update(now: now)
    }

    private func update(now: ContinuousClock.Instant) -> State {
        let statistics = worker.kafkaStatistics
        let consumerSnapshot = statistics.consumer
        let producerSnapshot = statistics.producer
        return state.withLock { state in
            if let snapshot = consumerSnapshot, snapshot.receivedAt != state.consumer?.receivedAt {
                let parsed = Self.parse(snapshot)
                state.consumer = parsed
                if case .success(let document) = parsed.document {
                    observeConsumer(document, at: snapshot.receivedAt, into: &state)
                }
            }
            if let snapshot = producerSnapshot, snapshot.receivedAt != state.producer?.receivedAt {
                let parsed = Self.parse(snapshot)
                state.producer = parsed
                if case .success(let document) = parsed.document { state.metrics.observeProducer(document) }
            }
            reportStuckChanges(now: now, into: &state)
            return state
        }
    }

    private static func parse(_ snapshot: KafkaClientStatistics.Snapshot) -> Parsed {
        do {
            return Parsed(receivedAt: snapshot.receivedAt, document: .success(try .parse(snapshot.json)))
        } catch {
            return Parsed(
                receivedAt: snapshot.receivedAt,
                document: .failure(StatisticsError(message: "librdkafka's statistics could not be read: \(error)")))
        }
    }

    private func observeConsumer(
        _ document: KafkaStatisticsDocument, at time: ContinuousClock.Instant, into state: inout State
    ) {
        let assigned = document.assignedPartitions(of: worker.configuration.topics.input)
        let observations = assigned.map {
            PartitionProgress.Observation(
                partition: $0.partition, lag: $0.lag(startsFromEarliest: startsFromEarliest),
                committedOffset: $0.committedOffset)
        }
        state.progress.update(observations, at: time)
        state.metrics.observeConsumer(document, partitions: observations)
    }

    /// Logs a partition once when it becomes stuck and once when it moves again.
    private func reportStuckChanges(now: ContinuousClock.Instant, into state: inout State) {
        let stuck = state.progress.stuck(now: now, bound: stuckPartitionTimeout)
        let partitions = Set(stuck.map(\.partition))
        state.metrics.stuckPartitions.record(partitions.count)
        for partition in stuck where !state.stuckPartitions.contains(partition.partition) {
            logger.error(
                "partition stuck: lag without progress beyond the bound",
                metadata: [
                    "topic": "\(worker.configuration.topics.input)", "partition": "\(partition.partition)",
                    "lag": "\(partition.lag)", "seconds-without-progress": "\(partition.secondsWithoutProgress)",
                ])
        }
        for partition in state.stuckPartitions.subtracting(partitions).sorted() {
            logger.notice(
                "partition no longer stuck",
                metadata: ["topic": "\(worker.configuration.topics.input)", "partition": "\(partition)"])
        }
        state.stuckPartitions = partitions
    }

    /// The document if it is readable and recent enough.
    private func current(
        _ parsed: Parsed?, now: ContinuousClock.Instant, freshness: Duration, client: String
    ) -> Result<KafkaStatisticsDocument, StatisticsError> {
        guard let parsed else {
            return .failure(StatisticsError(message: "no statistics from the \(client) yet"))
        }
        let age = parsed.receivedAt.duration(to: now)
        guard age <= freshness else {
            return .failure(
                StatisticsError(message: "the \(client)'s latest statistics are \(age.components.seconds) s old"))
        }
        return parsed.document
    }
}

extension KafkaStatisticsDocument.Partition {
    /// Records not yet committed: librdkafka's own figure when it has one; for a
    /// partition the group never committed, everything since the log start when
    /// the consumer starts there (otherwise where it started is not known).
    func lag(startsFromEarliest: Bool) -> Int64? {
        if consumerLag >= 0 { return consumerLag }
        let end = lsOffset >= 0 ? lsOffset : hiOffset
        guard committedOffset < 0, end >= 0, startsFromEarliest else { return nil }
        return max(0, end - max(loOffset, 0))
    }
}
