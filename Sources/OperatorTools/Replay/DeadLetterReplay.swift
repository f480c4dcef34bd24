import Kafka

/// `usp-worker replay`: sends dead letters back to the inbound topic, so that
/// a fixed worker (or a fixed configuration) creates what it refused before.
///
/// - What: each letter's key and value byte for byte, and its original headers
///   (``DeadLetter/replayHeaders``: the worker's error and source headers
///   removed, an `idempotency-key` added when it had none).
/// - Which: the letters between the group's committed offsets (the earliest
///   offset for a new group) and the end offsets the dead-letter topic had at
///   start, so the replay terminates even while letters keep arriving,
///   letters of its own replays among them; the ``ReplayFilter`` picks among
///   them.
/// - Where it resumes: the group (one per filter unless named) is assigned the
///   partitions directly, without joining; after each batch is acknowledged
///   (`acks=all`) its offsets are committed, skipped letters included. A
///   second replay sends only what arrived since; a failed one re-sends at
///   most its last batch, which the added idempotency keys make harmless.
///   Run one replay per group at a time.
/// - Letters the worker published without their value, inbound headers or key
///   (too large to publish whole) are completed from their source record, read at
///   their source coordinates while the inbound topic keeps it. Letters whose
///   source is gone are not sent: they stay in the dead-letter topic, are listed in
///   the summary (``ReplaySummary/sourceGone``), and counted as read.
public enum DeadLetterReplay {
    /// Runs the replay on the calling thread.
    ///
    /// - Parameter progress: called every `progressInterval`, and once at the end.
    /// - Throws: a missing topic, a bad property, a stalled partition,
    ///   ``OperatorToolError/deadLetterNotReplayed(_:failed:_:)`` naming the
    ///   first letter of a batch that was not acknowledged (nothing of that
    ///   batch is committed), or ``OperatorToolError/operatorTokenOnRefusedCallers(letters:byCode:)``
    ///   before anything is sent (``RefusedCallers``).
    public static func run(
        _ configuration: ReplayConfiguration,
        progress: (ReplayProgress) -> Void = { _ in }
    ) throws(OperatorToolError) -> ReplaySummary {
        try RefusedCallers.refuseOperatorToken(configuration)
        let replay = try ReplayRun(configuration)
        defer { replay.close() }
        return try replay.run(progress: progress)
    }
}

/// One replay: its clients, delivery ledger and source reader, the letters left
/// to read and its counts. Used on one thread, by ``DeadLetterReplay/run(_:progress:)``.
final class ReplayRun {
    private let configuration: ReplayConfiguration
    private let consumer: KafkaConsumer
    /// None in a dry run.
    private let producer: KafkaProducer?
    private let ledger = DeliveryLedger()
    private let sources: SourceRecordReader
    private let start = ContinuousClock.now
    /// For each dead-letter partition with letters left: the offsets still to read.
    private var ranges: [Int32: Range<Int64>] = [:]
    private var state = ReplayState(total: 0)

    private var topic: String { configuration.deadLetterTopic }

    init(_ configuration: ReplayConfiguration) throws(OperatorToolError) {
        self.configuration = configuration
        consumer = try KafkaClients.consumer(configuration.kafka, group: configuration.groupID)
        // A letter goes back as large as it came: the inbound topic held it, so the
        // producer's own limit (librdkafka's default is below a 1 MiB body) must not refuse it.
        var producerKafka = configuration.kafka
        if producerKafka["message.max.bytes"] == nil { producerKafka["message.max.bytes"] = "100000000" }
        do throws(OperatorToolError) {
            producer = configuration.dryRun ? nil : try KafkaClients.producer(producerKafka, ledger: ledger)
        } catch {
            try? consumer.close()
            throw error
        }
        sources = SourceRecordReader(kafka: configuration.kafka, group: configuration.groupID)
    }

    /// Closes the clients (the producer after waiting up to 10 s for what it still holds).
    func close() {
        try? consumer.close()
        producer?.close(timeout: .seconds(10))
    }

    func run(progress: (ReplayProgress) -> Void) throws(OperatorToolError) -> ReplaySummary {
        ranges = try remainingRanges()
        state = ReplayState(total: ranges.values.reduce(0) { $0 + Int($1.upperBound - $1.lowerBound) })
        do throws(KafkaError) {
            try consumer.assign(
                ranges.map {
                    TopicPartitionOffset(topic: topic, partition: $0.key, offset: $0.value.lowerBound)
                })
        } catch {
            throw .kafka(error, while: "assigning \(topic)")
        }

        var lastRecord = ContinuousClock.now
        var nextReport = start + configuration.progressInterval
        while !ranges.isEmpty {
            let polled: Int
            do throws(KafkaConsumerPollError<OperatorToolError>) {
                polled = try consumer.poll(maxMessages: 1000, timeout: .milliseconds(100)) {
                    (message: borrowing KafkaMessageView) throws(OperatorToolError) in
                    try take(KafkaMessage(message))
                }
            } catch {
                switch error {
                case .kafka(let error): throw .kafka(error, while: "reading \(topic)")
                case .body(let error): throw error
                }
            }
            let now = ContinuousClock.now
            if polled > 0 {
                lastRecord = now
            } else if now - lastRecord > configuration.stallTimeout {
                throw .replayStalled(
                    partitions: ranges.sorted { $0.key < $1.key }.map {
                        TopicPartitionOffset(topic: topic, partition: $0.key, offset: $0.value.upperBound)
                    },
                    waited: configuration.stallTimeout)
            }
            try pauseFinished()
            if state.batch.count >= configuration.batchSize || ranges.isEmpty {
                try settle(progress: progress)
            }
            if now >= nextReport {
                progress(state.progress(since: start))
                nextReport = now + configuration.progressInterval
            }
        }
        try settle(progress: progress)
        progress(state.progress(since: start))
        return ReplaySummary(
            read: state.read, replayed: state.replayed, skipped: state.skipped, replayedByCode: state.replayedByCode,
            sourceGone: state.sourceGone,
            group: configuration.groupID, dryRun: configuration.dryRun, seconds: start.duration(to: .now).seconds)
    }

    /// For each dead-letter partition with letters left: from the group's
    /// committed offset (or the earliest kept) to the end offset now.
    private func remainingRanges() throws(OperatorToolError) -> [Int32: Range<Int64>] {
        let count = try KafkaClients.partitionCount(of: topic, using: consumer)
        var ranges: [Int32: Range<Int64>] = [:]
        do throws(KafkaError) {
            let partitions = (0..<count).map { TopicPartition(topic: topic, partition: $0) }
            let committed = try KafkaClients.retrying { () throws(KafkaError) in
                try consumer.committed(partitions, timeout: .seconds(10))
            }
            for position in committed {
                let (low, high) = try KafkaClients.retrying { () throws(KafkaError) in
                    try consumer.watermarks(topic: topic, partition: position.partition, timeout: .seconds(10))
                }
                let from = max(position.offset, low)
                if from < high { ranges[position.partition] = from..<high }
            }
        } catch {
            throw .kafka(error, while: "reading the offsets of \(topic) for group \(configuration.groupID)")
        }
        return ranges
    }

    /// Stops fetching from partitions that reached their end offset.
    private func pauseFinished() throws(OperatorToolError) {
        guard !state.finished.isEmpty else { return }
        do throws(KafkaError) {
            try consumer.pause(state.finished.map { TopicPartition(topic: topic, partition: $0) })
        } catch {
            throw .kafka(error, while: "pausing finished partitions of \(topic)")
        }
        state.finished.removeAll()
    }

    /// Waits for the batch's delivery reports; when all are acknowledged,
    /// commits the offsets after the batch's letters (none in a dry run).
    private func settle(progress: (ReplayProgress) -> Void) throws(OperatorToolError) {
        if let producer {
            let current = state
            KafkaClients.waitForDeliveryReports(
                producer, kafka: configuration.kafka, every: configuration.progressInterval
            ) {
                progress(current.progress(since: start))
            }
            if let failure = ledger.firstFailure {
                throw .deadLetterNotReplayed(state.batch[Int(failure.opaque)], failed: failure.count, failure.error)
            }
            if producer.outstandingCount > 0 {
                let error = KafkaError(code: .timedOut, message: "no delivery report within message.timeout.ms")
                throw .deadLetterNotReplayed(state.batch[0], failed: producer.outstandingCount, error)
            }
        }
        state.replayed += state.batchReplayed
        state.batchReplayed = 0
        state.batch.removeAll(keepingCapacity: true)
        ledger.reset()
        guard !configuration.dryRun, !state.uncommitted.isEmpty else { return }
        do throws(KafkaError) {
            try consumer.commit(
                state.uncommitted.map { TopicPartitionOffset(topic: topic, partition: $0.key, offset: $0.value) },
                mode: .sync)
        } catch {
            throw .kafka(error, while: "committing \(topic) for group \(configuration.groupID)")
        }
        state.uncommitted.removeAll()
    }

    /// Handles one letter: past its partition's end it only closes the
    /// partition; otherwise it is counted, filtered and (unless a dry run)
    /// produced to the inbound topic.
    private func take(_ message: KafkaMessage) throws(OperatorToolError) {
        guard let range = ranges[message.partition], message.offset >= range.lowerBound else { return }
        guard message.offset < range.upperBound else {
            // Everything before the end offset was read (some offsets may be gaps).
            closePartition(message.partition)
            return
        }
        state.read += 1
        ranges[message.partition] = (message.offset + 1)..<range.upperBound
        state.uncommitted[message.partition] = message.offset + 1
        var letter = DeadLetter(message)
        if configuration.filter.accepts(errorCode: letter.errorCode, sourcePartition: letter.sourcePartition),
            letter.isMissingParts
        {
            switch try complete(letter) {
            case .success(let complete): letter = complete
            case .failure(let gone):
                state.sourceGone.append(gone)
                if message.offset + 1 >= range.upperBound { closePartition(message.partition) }
                return
            }
        }
        if configuration.filter.accepts(errorCode: letter.errorCode, sourcePartition: letter.sourcePartition) {
            state.replayedByCode[letter.errorCode ?? "-", default: 0] += 1
            state.batchReplayed += 1
            if let producer { send(letter, with: producer) }
        } else {
            state.skipped += 1
        }
        if message.offset + 1 >= range.upperBound { closePartition(message.partition) }
    }

    /// The letter with its left-out parts read back from its source record, or why
    /// that record is gone.
    private func complete(_ letter: DeadLetter) throws(OperatorToolError) -> Result<
        DeadLetter, ReplaySummary.SourceGone
    > {
        guard let source = letter.source else {
            return .failure(.init(letter: letter.position, source: nil, reason: "the letter names no source"))
        }
        switch try sources.read(source) {
        case .gone(let reason):
            return .failure(.init(letter: letter.position, source: source, reason: reason))
        case .found(let record):
            guard let complete = letter.restoring(from: record) else {
                return .failure(
                    .init(letter: letter.position, source: source, reason: "the record there is not the one left out"))
            }
            return .success(complete)
        }
    }

    private func closePartition(_ partition: Int32) {
        ranges[partition] = nil
        state.finished.append(partition)
    }

    private func send(_ letter: DeadLetter, with producer: KafkaProducer) {
        let opaque = UInt64(state.batch.count)
        state.batch.append(letter.position)
        do throws(KafkaError) {
            try producer.produce(
                topic: configuration.inputTopic, key: letter.key, value: letter.value,
                headers: letter.replayHeaders + configuration.extraHeaders,
                opaque: opaque, waitingForRoomUpTo: .seconds(600))
        } catch {
            ledger.recordFailure(opaque: opaque, error: error)
        }
    }
}

/// The counts and the current batch of a running replay.
struct ReplayState {
    let total: Int
    var read = 0
    var replayed = 0
    var skipped = 0
    var replayedByCode: [String: Int] = [:]
    /// The letters produced since the last commit, by opaque (their index).
    var batch: [TopicPartitionOffset] = []
    /// Letters of the batch that the filter let through.
    var batchReplayed = 0
    /// Letters missing parts whose source record is gone.
    var sourceGone: [ReplaySummary.SourceGone] = []
    /// The next offset of each partition read since the last commit.
    var uncommitted: [Int32: Int64] = [:]
    /// Partitions that reached their end since the last pause.
    var finished: [Int32] = []

    init(total: Int) { self.total = total }

    func progress(since start: ContinuousClock.Instant) -> ReplayProgress {
        ReplayProgress(
            read: read, total: total, replayed: replayed + batchReplayed, skipped: skipped,
            elapsed: start.duration(to: .now))
    }
}
