import Kafka
import Logging
import Synchronization

import class Foundation.Thread

/// What the worker asks the cluster beside consuming: at start, that its topics
/// exist; then, for `--until-caught-up`, the input topic's high watermarks once,
/// and the group's committed offsets until they reach them.
///
/// It runs on a thread of its own with a Kafka handle of its own (a consumer that
/// joins no group and only asks the coordinator), so the polling thread never
/// waits on the cluster for it: polls, rebalance callbacks and
/// `max.poll.interval.ms` stay healthy however slow or absent the brokers are.
/// Transient failures are retried with backoff and logged as warnings; only a
/// permanent one (authorization, a topic that stays unknown past the bound,
/// invalid configuration) ends the watch, as a failure the worker stops with.
final class GroupProgressWatcher: Sendable {
    enum Outcome: Sendable, Equatable {
        case watching
        /// The topics exist, and there is no progress to watch (not `--until-caught-up`).
        case topicsFound
        case caughtUp
        case failed(KafkaError)
    }

    private let configuration: KafkaConfiguration
    private let topic: String
    private let requiredTopics: [String]
    private let watchesProgress: Bool
    private let logger: Logger
    private let retry: KafkaRetry
    private let checkInterval: Duration
    private let outcome = Mutex(Outcome.watching)
    private let stopRequested = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)

    /// - Parameters:
    ///   - configuration: the worker's consumer properties (`group.id` included).
    ///   - topics: the worker's topics; each must exist (the input one first).
    ///   - watchesProgress: whether to watch the group's progress (`--until-caught-up`).
    init(
        configuration: KafkaConfiguration, topics: WorkerConfiguration.Topics, watchesProgress: Bool, logger: Logger,
        retry: KafkaRetry = KafkaRetry(), checkInterval: Duration = .milliseconds(500)
    ) {
        var configuration = configuration
        // A handle that only asks: it commits nothing and must not warn about the
        // worker's commit settings.
        configuration["enable.auto.commit"] = "false"
        configuration["auto.commit.interval.ms"] = nil
        configuration["statistics.interval.ms"] = nil
        self.configuration = configuration
        self.topic = topics.input
        self.requiredTopics = [topics.input, topics.output, topics.deadLetter]
        self.watchesProgress = watchesProgress
        self.logger = logger
        self.retry = retry
        self.checkInterval = checkInterval
    }

    /// Where the watch stands; read by the polling thread once a poll.
    var current: Outcome { outcome.withLock { $0 } }

    func start() {
        let thread = Thread { [self] in
            let result = watch()
            outcome.withLock { $0 = result }
            finished.store(true, ordering: .releasing)
        }
        thread.name = "usp-worker-progress"
        thread.start()
    }

    /// Ends the watch within about 50 ms, plus a query under way, and waits for its
    /// thread at most `timeout`: the shutdown does not wait on a cluster that is away
    /// for a query whose answer no longer matters (the thread ends on its own).
    func stop(timeout: Duration = .seconds(1)) {
        stopRequested.store(true, ordering: .relaxed)
        let deadline = ContinuousClock.now + timeout
        while !finished.load(ordering: .acquiring), ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    private var isStopRequested: Bool { stopRequested.load(ordering: .relaxed) }

    private func watch() -> Outcome {
        do throws(KafkaError) {
            let consumer = try KafkaConsumer(configuration: configuration)
            defer { try? consumer.close(timeout: .seconds(5)) }
            for required in requiredTopics {
                _ = try retrying("looking up topic \(required)") { () throws(KafkaError) in
                    try consumer.partitionCount(topic: required, timeout: .seconds(5))
                }
            }
            guard watchesProgress else { return .topicsFound }
            let targets = try retrying("taking the high watermarks of \(topic)") { () throws(KafkaError) in
                try highWatermarks(consumer)
            }
            logger.info(
                "caught-up targets taken", metadata: ["high-watermarks": "\(targets.sorted { $0.key < $1.key })"])
            while !isStopRequested {
                let reached = try retrying("reading the group's committed offsets") { () throws(KafkaError) in
                    try isReached(targets, consumer)
                }
                if reached { return .caughtUp }
                KafkaRetry.sleep(checkInterval) { isStopRequested }
            }
            return .watching
        } catch {
            if isStopRequested, error.isTransient { return .watching }
            return .failed(error)
        }
    }

    /// The input topic's high watermarks, for partitions that hold records.
    private func highWatermarks(_ consumer: KafkaConsumer) throws(KafkaError) -> [Int32: Int64] {
        var targets: [Int32: Int64] = [:]
        for (partition, low, high) in try consumer.watermarks(topic: topic, timeout: .seconds(5)) where high > low {
            targets[partition] = high
        }
        return targets
    }

    /// Whether the group (every worker in it) has committed up to the targets.
    private func isReached(_ targets: [Int32: Int64], _ consumer: KafkaConsumer) throws(KafkaError) -> Bool {
        guard !targets.isEmpty else { return true }
        let committed = try consumer.committed(
            targets.keys.map { TopicPartition(topic: topic, partition: $0) }, timeout: .seconds(5))
        return committed.allSatisfy { $0.offset >= (targets[$0.partition] ?? 0) }
    }

    private func retrying<Result>(
        _ doing: String, _ body: () throws(KafkaError) -> Result
    ) throws(KafkaError) -> Result {
        try retry.run(
            isCancelled: { isStopRequested },
            onRetry: { attempt in
                logger.warning(
                    "\(doing) failed; trying again",
                    metadata: [
                        "error": "\(attempt.error)", "attempt": "\(attempt.number)",
                        "retry-in-ms": "\(attempt.delay.milliseconds)",
                    ])
            }, body)
    }
}
