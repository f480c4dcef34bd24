import CreatePipeline
import Kafka
import Logging
import Synchronization

import struct Foundation.Date
import class Foundation.Thread

/// The worker: consumes creation events, runs each through the create
/// pipeline, publishes the entity or the dead letter, and commits an inbound
/// offset only once every record up to it has had its output acknowledged.
///
/// One run owns one consumer and one producer. The consumer is driven by a
/// dedicated thread (librdkafka's poll blocks, so it stays off Swift's
/// cooperative pool), which hands records to processing lanes, one a core,
/// that run the pipeline and publish; the producer's delivery reports arrive
/// on the producer's own thread; a ``FetchWakeUp`` thread keeps librdkafka's
/// prefetch refilled. The ``DeliveryTracker`` between them turns
/// out-of-order acknowledgements into committable per-partition prefixes.
public final class Worker: Sendable {
    public let configuration: WorkerConfiguration
    public let health: WorkerHealth
    /// What the worker did: the `/metrics` families and the run's totals.
    public let metrics: WorkerMetrics
    /// The run's totals (kept by ``metrics``).
    public var statistics: WorkerStatistics { metrics.statistics }
    /// What its Kafka clients last reported about themselves (`/metrics`, `/livez`, `/readyz`).
    public let kafkaStatistics = KafkaClientStatistics()
    private let logger: Logger
    /// When the shutdown must be over: set once, by the first stop request.
    private let stopDeadline = Mutex<ContinuousClock.Instant?>(nil)

    public init(
        configuration: WorkerConfiguration, logger: Logger, metrics: WorkerMetrics = .discarding
    ) {
        self.configuration = configuration
        self.health = WorkerHealth()
        self.metrics = metrics
        self.logger = logger
    }

    /// Asks a running worker to stop fetching, publish what is in flight,
    /// commit, leave the group and return (SIGTERM, SIGINT), all within
    /// `shutdownTimeout` from now; past it the run throws `SHUTDOWN_TIMED_OUT`
    /// with what was safe committed. Later requests keep the first deadline.
    public func requestStop() {
        let deadline = ContinuousClock.now + configuration.shutdownTimeout
        stopDeadline.withLock { if $0 == nil { $0 = deadline } }
    }

    var isStopRequested: Bool { stopDeadline.withLock { $0 != nil } }

    /// The deadline of a requested stop, if one was requested.
    var requestedStopDeadline: ContinuousClock.Instant? { stopDeadline.withLock { $0 } }

    /// Runs until stopped, or until caught up with `untilCaughtUp`. Throws a
    /// ``WorkerError`` when a record can be published nowhere or Kafka fails
    /// fatally; a bad property throws before anything connects.
    public func run() async throws -> WorkerSummary {
        let loop = try WorkerLoop(worker: self, logger: logger)
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: loop.run())
            }
            thread.name = "usp-worker-poll"
            thread.start()
        }
    }
}

/// One run of the worker: its clients, its tracker, its polling loop.
final class WorkerLoop: Sendable {
    private let worker: Worker
    private let logger: Logger
    private let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let tracker = DeliveryTracker()
    private let translator: RecordTranslator
    private let failure = Mutex<WorkerError?>(nil)
    private let startTime = ContinuousClock.now
    /// The lanes of the current run, for the rebalance handler (set by `run`).
    private let runningLanes = Mutex<ProcessingLanes?>(nil)

    private var configuration: WorkerConfiguration { worker.configuration }
    private var metrics: WorkerMetrics { worker.metrics }

    init(worker: Worker, logger: Logger) throws {
        self.worker = worker
        self.logger = logger
        let configuration = worker.configuration
        try configuration.checkGuarantees()
        translator = RecordTranslator(
            pipeline: CreatePipeline(maximumBodySize: configuration.maximumBodySize), topics: configuration.topics,
            authentication: configuration.authentication,
            deadLetterLimit: DeadLetterLimit(configuration.messageSizeLimits.producerMessageMaxBytes))
        // The callbacks reach the loop weakly: the loop owns both clients, and
        // closes them (so no callback runs any more) before it goes away.
        let handlers = CallbackTarget()
        producer = try KafkaProducer.batchingReports(configuration: configuration.producerConfiguration) { reports in
            handlers.loop?.delivered(reports)
        } onError: { [logger] error in
            logger.warning("kafka producer error", metadata: ["error": "\(error)"])
            // An idempotent producer's fatal error: nothing more can be published.
            if error.isFatal { handlers.loop?.recordFailure(.kafka(error, while: "publishing")) }
        }
        consumer = try KafkaConsumer(configuration: configuration.consumerConfiguration) { event, consumer in
            handlers.loop?.rebalance(event, consumer: consumer)
        }
        consumer.setErrorHandler { [logger] error in
            logger.warning("kafka consumer error", metadata: ["error": "\(error)"])
        }
        consumer.setCommitHandler { [metrics = worker.metrics] in metrics.committed() }
        consumer.setStatisticsHandler { [statistics = worker.kafkaStatistics] in statistics.storeConsumer($0) }
        producer.setStatisticsHandler { [statistics = worker.kafkaStatistics] in statistics.storeProducer($0) }
        handlers.loop = self
    }

    // MARK: The polling thread

    func run() -> Result<WorkerSummary, any Error> {
        defer { worker.health.set(.stopped) }
        // The lanes call back into the loop; they stop (ending their threads
        // and so their references to it) in `shutDown`.
        let lanes = ProcessingLanes(count: configuration.processingThreads) { item in
            let start = ContinuousClock.now
            self.publish(self.translator.translate(item.record), ticket: item.ticket)
            self.metrics.processing.record(start.duration(to: .now))
        }
        runningLanes.withLock { $0 = lanes }
        let fetchWakeUp = FetchWakeUp(
            consumer: consumer, interval: .init(quarterOfPrefetchIn: configuration.consumerConfiguration))
        let progress = GroupProgressWatcher(
            configuration: configuration.consumerConfiguration, topics: configuration.topics,
            watchesProgress: configuration.untilCaughtUp, logger: logger)
        TopicSizeCheck(
            topics: configuration.topics, limits: configuration.messageSizeLimits,
            maximumBodySize: configuration.maximumBodySize
        ).start(producer: producer, deadLetterLimit: translator.deadLetterLimit, logger: logger)
        do throws(KafkaError) {
            try consumer.subscribe(topics: [configuration.topics.input])
            progress.start()
            worker.health.set(.joining)
            logger.info(
                "worker started",
                metadata: [
                    "input": "\(configuration.topics.input)", "output": "\(configuration.topics.output)",
                    "dead-letter": "\(configuration.topics.deadLetter)", "group": "\(configuration.groupID)",
                ])
            try pollUntilDone(progress: progress, lanes: lanes, fetchWakeUp: fetchWakeUp)
        } catch {
            recordFailure(.kafka(error, while: "consuming \(configuration.topics.input)"))
        }
        progress.stop()
        let shutdownError = shutDown(lanes: lanes, fetchWakeUp: fetchWakeUp)
        if let error = failure.withLock({ $0 }) ?? shutdownError {
            logger.error("worker stopped with a failure", metadata: ["error": "\(error)"])
            return .failure(error)
        }
        let summary = WorkerSummary(worker.statistics, seconds: startTime.duration(to: .now).seconds)
        logger.info("worker stopped", metadata: ["summary": "\(summary)"])
        return .success(summary)
    }

    private func pollUntilDone(
        progress: GroupProgressWatcher, lanes: ProcessingLanes, fetchWakeUp: FetchWakeUp
    ) throws(KafkaError) {
        let maxInFlight = max(1, configuration.maxInFlight)
        let maxWindowed = max(maxInFlight, configuration.maxWindowedRecords)
        let maxInFlightBytes = max(1, configuration.maxInFlightBytes)
        // At a record cap, taking resumes once a tenth of it is free again: acknowledgements
        // come a produce response at a time, and polling for each few would wake the lanes
        // for a few records each.
        let resumeInFlight = maxInFlight - maxInFlight / 10
        let resumeWindowed = maxWindowed - maxWindowed / 10
        // Storing is local and cheap; librdkafka's committer sends what is stored.
        let storeInterval = min(configuration.commitInterval, .milliseconds(100))
        var nextStore = ContinuousClock.now + storeInterval
        while !worker.isStopRequested, failure.withLock({ $0 == nil }) {
            // Back-pressure: at any cap (records in flight, records in the windows, bytes),
            // take nothing more until acknowledgements make room. librdkafka's prefetch
            // queue is bounded too (`queued.max.messages.kbytes`, sized from the byte
            // budget) and, unlike pausing, keeps what it fetched, so consuming resumes at
            // full speed.
            let (inFlight, windowed, bytesInFlight) = tracker.load
            var bytesTaken = bytesInFlight
            if inFlight >= maxInFlight || windowed >= maxWindowed || bytesTaken >= maxInFlightBytes {
                _ = tracker.waitForRoom(
                    below: resumeInFlight, windowedBelow: resumeWindowed, bytesBelow: maxInFlightBytes,
                    deadline: .now + .milliseconds(100))
            } else {
                // Never take more than the caps have room for; stop once the records
                // taken fill the byte budget (the last one may go past it, alone if it
                // is larger than the whole budget).
                let room = min(1000, maxInFlight - inFlight, maxWindowed - windowed)
                let bytesBefore = bytesTaken
                var polled = 0
                // Handed to the lanes even when the poll throws: they are in flight. What
                // the poll took counts toward the next wake-up of librdkafka's fetchers.
                defer {
                    lanes.flush()
                    fetchWakeUp.taken(messages: polled, bytes: bytesTaken - bytesBefore)
                }
                do throws(KafkaConsumerPollError<InFlightBudgetFull>) {
                    _ = try consumer.poll(maxMessages: room, timeout: .milliseconds(100)) {
                        (message: borrowing KafkaMessageView) throws(InFlightBudgetFull) in
                        polled += 1
                        guard let item = take(message) else { return }
                        lanes.add(item)
                        bytesTaken += item.record.memoryBytes
                        if bytesTaken >= maxInFlightBytes { throw InFlightBudgetFull() }
                    }
                } catch {
                    switch error {
                    case .kafka(let error): throw error
                    case .body: break
                    }
                }
            }
            metrics.inFlight(records: tracker.inFlightCount, peakBytes: tracker.peakInFlightByteCount)
            let now = ContinuousClock.now
            if now >= nextStore {
                storeAcknowledged()
                nextStore = now + storeInterval
            }
            switch progress.current {
            case .caughtUp:
                logger.info("group caught up with the high watermarks taken at start")
                return
            case .failed(let error):
                recordFailure(.kafka(error, while: "asking the cluster about \(configuration.topics.input)'s group"))
                return
            case .watching, .topicsFound:
                break
            }
        }
    }

    /// Copies a consumed record and gives it its place in its partition's
    /// window, in consumption order; a lane runs the pipeline on it.
    private func take(_ message: borrowing KafkaMessageView) -> ProcessingLanes.Item? {
        metrics.consumed()
        let record = InboundRecord(message)
        guard let ticket = tracker.dispatch(record) else {
            // A record of a partition this worker no longer holds: its new
            // owner reads it again from the committed offset.
            logger.debug("record of an unassigned partition skipped", metadata: recordMetadata(record))
            metrics.skippedUnassigned()
            return nil
        }
        return ProcessingLanes.Item(record: record, ticket: ticket)
    }

    /// Hands an output to the producer. A record-specific refusal of an
    /// entity (too large for the topic) dead-letters it; anything else that
    /// cannot be enqueued fails the record.
    private func publish(_ output: OutboundRecord, ticket: DeliveryTicket) {
        let ticket = ticket.with(kind: output.kind == .entity ? .entity : .deadLetter)
        if let attempt = output.deadLetter { tracker.setDeadLetter(attempt, for: ticket) }
        do {
            try producer.produce(
                topic: output.topic, key: output.key, value: output.value, headers: output.headers,
                opaque: ticket.opaque, waitingForRoomUpTo: configuration.shutdownTimeout)
        } catch {
            refused(ticket, error: error)
        }
    }

    // MARK: The producer's delivery thread

    /// The reports of one batch: the acknowledged records are counted, then completed
    /// together (one lock, one wake-up of a poll waiting for room); the refused ones
    /// are handled one by one.
    func delivered(_ reports: [DeliveryReport]) {
        var acknowledged: [DeliveryTicket] = []
        acknowledged.reserveCapacity(reports.count)
        var created = 0
        for report in reports {
            let ticket = DeliveryTicket(opaque: report.opaque)
            if let latency = report.latency { metrics.publishing.record(latency) }
            if let error = report.error {
                refused(ticket, error: error)
                continue
            }
            switch ticket.kind {
            case .entity: created += 1
            case .deadLetter:
                // Its error is remembered with the record until the record completes (below);
                // only a partition lost meanwhile has forgotten it.
                metrics.deadLettered(code: tracker.deadLetter(for: ticket)?.error.code ?? "unknown")
            }
            acknowledged.append(ticket)
        }
        // Counted before they complete: a drain that sees them settled sees them counted.
        metrics.created(count: created)
        tracker.complete(acknowledged)
    }

    /// An output the broker (or the producer) refused for good: an entity
    /// refused for something about the record itself becomes a dead letter;
    /// anything else stops the record's partition.
    private func refused(_ ticket: DeliveryTicket, error: KafkaError) {
        metrics.publishFailed(ticket.kind == .entity ? .entity : .deadLetter)
        if ticket.kind == .entity, error.isAboutTheRecord, let record = tracker.record(for: ticket) {
            logger.warning(
                "entity refused by the broker; dead-lettering the record",
                metadata: recordMetadata(record, ["error": "\(error)"]))
            let graphError = GraphError.entityNotPublished(
                "The entity could not be published to \(configuration.topics.output): \(error.message)")
            publish(translator.deadLetter(for: record, error: graphError), ticket: ticket.with(kind: .deadLetter))
            return
        }
        // A dead letter too large for the producer or the topic: again, with less in it.
        if ticket.kind == .deadLetter, error.isAboutTheSize, let record = tracker.record(for: ticket),
            let attempt = tracker.deadLetter(for: ticket),
            let smaller = translator.smallerDeadLetter(for: record, after: attempt)
        {
            logger.warning(
                "dead letter refused for its size; publishing it with less in it",
                metadata: recordMetadata(record, ["error": "\(error)"]))
            publish(smaller, ticket: ticket)
            return
        }
        metrics.failed()
        guard let (partition, offset) = tracker.fail(ticket) else { return }
        // Purged by the worker's own shutdown, past its deadline: the record is
        // simply not done, and the shutdown reports that.
        guard error.code != .purgeQueue, error.code != .purgeInflight else { return }
        recordFailure(
            .unpublishable(
                topic: configuration.topics.input, partition: partition, offset: offset, reason: error.description))
    }

    // MARK: Rebalances (on the polling thread, inside poll or close)

    func rebalance(_ event: RebalanceEvent, consumer: KafkaConsumer) {
        metrics.rebalanced(event)
        switch event {
        case .assigned(let partitions):
            let mine = inputPartitions(partitions)
            tracker.assign(mine)
            worker.health.set(.consuming)
            logger.info("partitions assigned", metadata: ["partitions": "\(mine)"])
        case .revoked(let partitions):
            let mine = inputPartitions(partitions)
            // Records of these partitions taken earlier in this poll must reach
            // their lane before the worker waits for them to settle.
            runningLanes.withLock { $0 }?.flush()
            let revokeStart = ContinuousClock.now
            let deadline = drainDeadline()
            let settled = tracker.waitUntilSettled(mine, deadline: deadline)
            if !settled {
                logger.warning(
                    "revoked partitions did not settle in time",
                    metadata: [
                        "error": "\(WorkerError.revokeTimedOut(configuration.shutdownTimeout, partitions: mine))"
                    ])
            }
            // Committed here, before the partitions are released: their next
            // owner starts after the last acknowledged record.
            commitAcknowledged(mine, deadline: deadline)
            tracker.remove(mine)
            logger.info(
                "partitions revoked",
                metadata: [
                    "partitions": "\(mine)",
                    "milliseconds": "\(revokeStart.duration(to: .now).milliseconds)",
                ])
        case .lost(let partitions):
            let mine = inputPartitions(partitions)
            tracker.remove(mine)
            logger.warning(
                "partitions lost; their uncommitted records will be redelivered", metadata: ["partitions": "\(mine)"])
        }
    }

    private func inputPartitions(_ partitions: [TopicPartition]) -> [Int32] {
        partitions.filter { $0.topic == configuration.topics.input }.map(\.partition)
    }

    // MARK: Commits and progress

    /// Hands the acknowledged prefixes that moved to librdkafka's committer,
    /// which commits them while the member is steady in its group. Periodic
    /// commits go this way, never as explicit commits: see
    /// `KafkaConsumer.storeOffsets` for the rebalance they would break.
    private func storeAcknowledged() {
        advanceSettledPartitionsToPositions()
        let outcome = offsetStoring.store(using: consumer.storeOffsets)
        if let problem = outcome.problem {
            logger.warning("storing offsets failed; they are stored again later", metadata: ["error": "\(problem)"])
        }
    }

    /// Commits, and waits for (until `deadline`), the acknowledged prefixes of these
    /// partitions (all when nil): on revoke and at shutdown. They are stored as well,
    /// so that librdkafka's own commit of a released partition's stored offset
    /// repeats this one instead of taking the partition back to an older one.
    private func commitAcknowledged(_ partitions: [Int32]? = nil, deadline: ContinuousClock.Instant) {
        let outcome = offsetStoring.store(partitions, includingStored: true, using: consumer.storeOffsets)
        if let problem = outcome.problem { logger.warning("storing offsets failed", metadata: ["error": "\(problem)"]) }
        guard !outcome.offsets.isEmpty else { return }
        do {
            try consumer.commit(outcome.offsets, waitingUpTo: max(.zero, ContinuousClock.now.duration(to: deadline)))
        } catch {
            logger.warning("commit failed", metadata: ["error": "\(error)"])
        }
    }

    /// A partition whose every consumed record is acknowledged may still have a
    /// position beyond its last record: transaction markers and aborted records are
    /// never handed over. Its committable offset is then that position, so that
    /// the group's committed offset reaches the high watermark. Only the polling
    /// thread calls this, between polls: every record below a position has been
    /// dispatched by then.
    private func advanceSettledPartitionsToPositions() {
        let topic = configuration.topics.input
        let partitions = tracker.assignedPartitions.map { TopicPartition(topic: topic, partition: $0) }
        guard let positions = try? consumer.positions(partitions), !positions.isEmpty else { return }
        tracker.advanceSettled(to: Dictionary(uniqueKeysWithValues: positions.map { ($0.key.partition, $0.value) }))
    }

    private var offsetStoring: OffsetStoring { OffsetStoring(tracker: tracker, topic: configuration.topics.input) }

    // MARK: Stopping

    fileprivate func recordFailure(_ error: WorkerError) {
        failure.withLock { if $0 == nil { $0 = error } }
        worker.health.set(.failed)
    }

    /// The deadline of a drain starting now: the requested stop's, or a whole
    /// shutdown timeout for a revoke or an unrequested stop.
    private func drainDeadline() -> ContinuousClock.Instant {
        let own = ContinuousClock.now + configuration.shutdownTimeout
        return worker.requestedStopDeadline.map { min($0, own) } ?? own
    }

    /// Publishes what is in flight, commits, leaves the group, closes the producer:
    /// all of it before one deadline. Past it, what is left is abandoned and the
    /// run fails with `SHUTDOWN_TIMED_OUT`; only acknowledged prefixes were committed.
    private func shutDown(lanes: ProcessingLanes, fetchWakeUp: FetchWakeUp) -> WorkerError? {
        worker.health.set(.draining)
        let deadline = drainDeadline()
        let remaining = { max(.zero, ContinuousClock.now.duration(to: deadline)) }
        var result: WorkerError?
        if !tracker.waitUntilSettled(deadline: deadline) {
            result = .shutdownTimedOut(configuration.shutdownTimeout, inFlight: tracker.inFlightCount)
        }
        commitAcknowledged(deadline: deadline)
        fetchWakeUp.stop()
        do {
            try consumer.close(timeout: remaining())
        } catch {
            logger.warning("leaving the group failed", metadata: ["error": "\(error)"])
            if error.code == .timedOut, result == nil {
                result = .shutdownTimedOut(configuration.shutdownTimeout, inFlight: tracker.inFlightCount)
            }
        }
        lanes.stop()
        producer.close(timeout: remaining())
        return result
    }

    private func recordMetadata(_ record: InboundRecord, _ extra: Logger.Metadata = [:]) -> Logger.Metadata {
        var metadata = extra
        metadata["topic"] = "\(configuration.topics.input)"
        metadata["partition"] = "\(record.partition)"
        metadata["offset"] = "\(record.offset)"
        return metadata
    }
}

/// Where the clients' callbacks find the loop: set once the loop is built,
/// read from the producer's and the polling thread.
private final class CallbackTarget: Sendable {
    private struct WeakLoop { weak var loop: WorkerLoop? }
    private let reference = Mutex(WeakLoop())
    var loop: WorkerLoop? {
        get { reference.withLock { $0.loop } }
        set { reference.withLock { $0.loop = newValue } }
    }
}

extension KafkaError {
    /// Refusals that concern one record rather than the topic or the
    /// cluster: dead-lettering that record is the right answer.
    var isAboutTheRecord: Bool {
        [.msgSizeTooLarge, .invalidRecord, .recordListTooLarge, .corruptMessage].contains(code)
    }

    /// Refusals of a record for its size (by the producer or the broker).
    var isAboutTheSize: Bool {
        [.msgSizeTooLarge, .recordListTooLarge].contains(code)
    }
}
