import Kafka

/// `usp-worker backfill`: loads a JSON-lines file (plain or gzip) into the
/// inbound topic, one record per line, each with an `idempotency-key` header
/// (``BackfillKey``) so that loading the same file again creates the same
/// entities, not new ones.
///
/// Each record's key is its idempotency key too: a line loaded twice goes to
/// the same partition both times, so its two entities (same id) reach the
/// output topic in load order. The value is the line's bytes.
/// Blank lines are skipped; lines above the limit, or above the producer's
/// `message.max.bytes`, are not produced and are listed in the summary. The backfill returns only when every produced record
/// has had its delivery report (`acks=all`, idempotent producer).
public enum Backfill {
    /// Runs the backfill on the calling thread.
    ///
    /// - Parameter progress: called every `progressInterval` while lines are
    ///   read and delivered, and once at the end.
    /// - Returns: the summary, once every record is acknowledged.
    /// - Throws: an unreadable or corrupt input, a missing topic, a bad
    ///   property, or ``OperatorToolError/lineNotDelivered(line:failedLines:_:)``
    ///   naming the first line the brokers refused. In every case the records
    ///   already enqueued were waited for first.
    public static func run(
        _ configuration: BackfillConfiguration,
        progress: (BackfillProgress) -> Void = { _ in }
    ) throws(OperatorToolError) -> BackfillSummary {
        let backfill = try BackfillRun(configuration)
        defer { backfill.close() }
        return try backfill.run(progress: progress)
    }
}

/// One backfill: its input, producer, delivery ledger and counts. Used on one
/// thread, by ``Backfill/run(_:progress:)``.
final class BackfillRun {
    private let configuration: BackfillConfiguration
    private let file: InputFile
    private let reader: LineReader
    private let ledger = DeliveryLedger()
    private let producer: KafkaProducer
    private let start = ContinuousClock.now
    private var counts = LineCounts()

    init(_ configuration: BackfillConfiguration) throws(OperatorToolError) {
        self.configuration = configuration
        file = try InputFile(path: configuration.input)
        reader = LineReader(input: try DecodedInput(file: file), maximumLineSize: configuration.maximumLineSize)
        let probe = try KafkaClients.consumer(configuration.kafka, group: "usp-worker-backfill-probe")
        defer { try? probe.close() }
        _ = try KafkaClients.partitionCount(of: configuration.topic, using: probe)
        producer = try KafkaClients.producer(configuration.kafka, ledger: ledger)
    }

    /// Closes the producer, after waiting up to 10 s for what it still holds.
    func close() {
        producer.close(timeout: .seconds(10))
    }

    func run(progress: (BackfillProgress) -> Void) throws(OperatorToolError) -> BackfillSummary {
        var nextReport = start + configuration.progressInterval
        var readError: OperatorToolError?
        while ledger.firstFailure == nil {
            let next = Result<InputLine?, OperatorToolError> { () throws(OperatorToolError) in try reader.next() }
            guard case .success(let line?) = next else {
                if case .failure(let error) = next { readError = error }
                break
            }
            produce(line)
            if ContinuousClock.now >= nextReport {
                progress(snapshot())
                nextReport = .now + configuration.progressInterval
            }
        }
        KafkaClients.waitForDeliveryReports(producer, kafka: configuration.kafka, every: configuration.progressInterval)
        {
            progress(snapshot())
        }
        progress(snapshot())

        if let failure = ledger.firstFailure {
            throw .lineNotDelivered(line: Int(failure.opaque), failedLines: failure.count, failure.error)
        }
        if let readError { throw readError }
        return BackfillSummary(
            lines: reader.lineNumber, produced: ledger.acknowledged, skippedBlank: counts.skippedBlank,
            oversizedLines: counts.oversizedLines, oversizedCount: counts.oversizedCount,
            bytes: reader.bytesConsumed, seconds: start.duration(to: .now).seconds)
    }

    private func snapshot() -> BackfillProgress {
        BackfillProgress(
            lines: reader.lineNumber, produced: counts.produced, acknowledged: ledger.acknowledged,
            fileBytesRead: reader.input.fileBytesConsumed, fileSize: file.size, elapsed: start.duration(to: .now))
    }

    /// Produces a line (blank lines are counted and skipped, oversized ones listed).
    private func produce(_ line: InputLine) {
        switch line {
        case .oversized(let number, _):
            counts.addOversized(number)
        case .text(let number, let bytes):
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                counts.skippedBlank += 1
                return
            }
            let key = Array(BackfillKey.idempotencyKey(line: number, bytes: bytes).utf8)
            do throws(KafkaError) {
                try producer.produce(
                    topic: configuration.topic, key: key, value: bytes,
                    headers: [KafkaHeader(name: "idempotency-key", value: key)] + configuration.extraHeaders,
                    opaque: UInt64(number), waitingForRoomUpTo: .seconds(600))
                counts.produced += 1
            } catch {
                // Larger than the producer's `message.max.bytes` (librdkafka's default,
                // 1,000,000, is below the worker's body limit): too large, like a line
                // above the limit, rather than a failure of the backfill.
                if error.code == .msgSizeTooLarge {
                    counts.addOversized(number)
                } else {
                    ledger.recordFailure(opaque: UInt64(number), error: error)
                }
            }
        }
    }
}

/// What happened to the lines read so far.
private struct LineCounts {
    var produced = 0
    var skippedBlank = 0
    var oversizedLines: [Int] = []
    var oversizedCount = 0

    mutating func addOversized(_ number: Int) {
        oversizedCount += 1
        if oversizedLines.count < BackfillSummary.maximumListedLines { oversizedLines.append(number) }
    }
}
