import Synchronization

/// A Kafka producer: one librdkafka producer handle and one dedicated delivery thread.
///
/// Defaults (applied only when the configuration does not set the key):
/// `enable.idempotence=true` and `acks=all` (no loss, no duplicates or reordering from
/// the producer's own retries); `linger.ms=5` and `batch.num.messages=10000`
/// (librdkafka's own values, stated so that they hold whatever the library version);
/// `queue.buffering.max.messages=20000`: a bound on messages not yet reported, so a
/// caller faster than the brokers gets `.queueFull` (back-pressure) early. Measured on
/// the embedded cluster (1,000,000 × 100 B, 64 partitions, 3 runs each): 500,000 took
/// 1.13 s, librdkafka's default 100,000 took 1.13 s, 50,000 0.91 s, 20,000 0.88 s,
/// 10,000 0.76 s — a long backlog costs cache misses and lock contention in the
/// broker thread. 20,000 keeps enough in flight for brokers with real round trips.
///
/// Threading: `produce`, `flush`, `outstandingCount`, `fatalError` and `close` may be
/// called from any thread. Delivery reports and client errors are handled on the
/// producer's delivery thread, which waits on librdkafka's main queue in event mode
/// (`RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR`), so `flush` never runs the callbacks
/// on the caller's thread. While reports keep coming it collects them in bursts (at
/// most ~1 ms later than they arrive) instead of being woken per produce response.
///
/// Sendability (`@unchecked`): the stored properties are immutable after `init`
/// (`core` is a constant reference; its mutable parts are atomics and a `Mutex`); the librdkafka
/// handle is thread-safe for the calls made on it (`rd_kafka_produceva`, `flush`,
/// `outq_len`, `fatal_error`, `purge`); `HandleUsage` keeps the handle alive while
/// any call is inside it, and only `close` destroys it, once.
public final class KafkaProducer: @unchecked Sendable {
    private let core: ProducerCore
    private let deliveryThread: NativeThread
    private let usage = HandleUsage()

    /// Default properties for producers; see the type's documentation.
    public static let defaultProperties: KeyValuePairs<String, String> = [
        "enable.idempotence": "true",
        "acks": "all",
        "linger.ms": "5",
        "batch.num.messages": "10000",
        "queue.buffering.max.messages": "20000",
    ]

    /// Creates the producer and starts its delivery thread.
    ///
    /// - Parameters:
    ///   - onDelivery: runs on the delivery thread, once per produced message, in
    ///     librdkafka's order (per partition: production order). It receives the
    ///     caller's integer opaque; no closure or box is allocated per message.
    ///     It should not block for long: it holds up every later report.
    ///   - onError: client-level errors (brokers down, authentication, a fatal
    ///     idempotence error), on the delivery thread. By default they are written
    ///     to standard error.
    /// - Throws: an invalid property (the message names it) or a handle that cannot be created.
    public convenience init(
        configuration: KafkaConfiguration,
        onDelivery: @escaping @Sendable (DeliveryReport) -> Void,
        onError: @escaping @Sendable (KafkaError) -> Void = KafkaProducer.writeToStandardError
    ) throws(KafkaError) {
        try self.init(
            batchingReportsTo: { reports in
                for report in reports { onDelivery(report) }
            }, configuration: configuration, onError: onError)
    }

    /// Creates the producer and starts its delivery thread, handing out delivery reports
    /// in batches: those librdkafka delivers together (the messages of one produce
    /// response, say), in its order. A handler that takes a lock per report takes it once
    /// a batch instead. See ``init(configuration:onDelivery:onError:)``.
    public static func batchingReports(
        configuration: KafkaConfiguration,
        onDeliveries: @escaping @Sendable ([DeliveryReport]) -> Void,
        onError: @escaping @Sendable (KafkaError) -> Void = KafkaProducer.writeToStandardError
    ) throws(KafkaError) -> KafkaProducer {
        try KafkaProducer(batchingReportsTo: onDeliveries, configuration: configuration, onError: onError)
    }

    private init(
        batchingReportsTo onDeliveries: @escaping @Sendable ([DeliveryReport]) -> Void,
        configuration: KafkaConfiguration, onError: @escaping @Sendable (KafkaError) -> Void
    ) throws(KafkaError) {
        let core = try ProducerCore(
            configuration: configuration.withDefaults(Self.defaultProperties), onDeliveries: onDeliveries,
            onError: onError)
        self.core = core
        self.deliveryThread = NativeThread.start { core.runDeliveryLoop() }
    }

    deinit {
        close(timeout: .seconds(5))
    }

    /// Sets the handler for librdkafka's statistics: one JSON document (see
    /// librdkafka's STATISTICS.md) every `statistics.interval.ms`, which is 0 (none)
    /// unless configured. It runs on the delivery thread, so it should only hand
    /// the text on.
    public func setStatisticsHandler(_ handler: @escaping @Sendable (String) -> Void) {
        core.statisticsHandler.withLock { $0 = handler }
    }

    /// Writes a client error to standard error (the default `onError`).
    public static let writeToStandardError: @Sendable (KafkaError) -> Void = { error in
        writeStandardError("kafka producer: \(error)\n")
    }

    /// Enqueues one message (rd_kafka_produceva, RD_KAFKA_MSG_F_COPY: the bytes are copied
    /// before this returns). `nil` key or value is null; an empty buffer is an empty,
    /// non-null one. `partition` nil lets the partitioner choose (by key hash).
    ///
    /// - Throws: `.queueFull` when `queue.buffering.max.messages`/`kbytes` is reached
    ///   (wait for delivery reports or `flush`, then retry), `.msgSizeTooLarge`,
    ///   `.unknownTopic`/`.unknownPartition`, `.fatal`, or `.state` after `close`.
    public func produce(
        topic: String, partition: Int32? = nil,
        key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        headers: [KafkaHeader], opaque: UInt64
    ) throws(KafkaError) {
        guard usage.enter() else { throw KafkaError.state("the producer is closed") }
        defer { usage.leave() }
        try core.produce(topic: topic, partition: partition, key: key, value: value, headers: headers, opaque: opaque)
    }

    /// Enqueues one message from byte arrays; see the buffer-pointer variant.
    public func produce(
        topic: String, partition: Int32? = nil,
        key: [UInt8]?, value: [UInt8]?,
        headers: [KafkaHeader] = [], opaque: UInt64
    ) throws(KafkaError) {
        try Self.withOptionalBytes(key) { (key) throws(KafkaError) in
            try Self.withOptionalBytes(value) { (value) throws(KafkaError) in
                try produce(
                    topic: topic, partition: partition, key: key, value: value, headers: headers, opaque: opaque)
            }
        }
    }

    private static func withOptionalBytes(
        _ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) throws(KafkaError) -> Void
    ) throws(KafkaError) {
        guard let bytes else { return try body(nil) }
        let result: Result<Void, KafkaError> = bytes.withUnsafeBytes { buffer in
            do throws(KafkaError) {
                try body(buffer)
                return .success(())
            } catch { return .failure(error) }
        }
        try result.get()
    }

    /// Waits until every message enqueued so far has had its delivery report handled
    /// (librdkafka counts a message until its report event is released), or the timeout.
    /// Sends lingering batches at once.
    ///
    /// - Throws: `.timedOut` when messages remain after `timeout`.
    public func flush(timeout: Duration) throws(KafkaError) {
        guard usage.enter() else { throw KafkaError.state("the producer is closed") }
        defer { usage.leave() }
        if deliveryThread.isCurrent {
            throw KafkaError.state("flush cannot wait for delivery reports from the delivery thread")
        }
        try core.flush(timeout: timeout)
    }

    /// Whether `close` has begun: a long wait inside `withHandle` should give up.
    public var isClosing: Bool { usage.isClosed }

    /// Runs `body` with the handle, kept open meanwhile (for requests made in other files).
    func withHandle<Result>(_ body: (OpaquePointer) throws(KafkaError) -> Result) throws(KafkaError) -> Result {
        guard usage.enter() else { throw KafkaError.state("the producer is closed") }
        defer { usage.leave() }
        return try body(core.handle)
    }

    /// Messages not yet delivered and reported (rd_kafka_outq_len: queued, in flight,
    /// or awaiting their delivery report).
    public var outstandingCount: Int {
        guard usage.enter() else { return 0 }
        defer { usage.leave() }
        return core.outstandingCount
    }

    /// The fatal error, if the idempotent producer raised one (rd_kafka_fatal_error).
    /// After a fatal error every produce fails; close the producer and create a new one.
    public var fatalError: KafkaError? {
        guard usage.enter() else { return nil }
        defer { usage.leave() }
        return core.fatalError
    }

    /// Flushes for up to `timeout`; then purges what is left (those messages are
    /// reported with `_PURGE_QUEUE`/`_PURGE_INFLIGHT`, so every produced message gets
    /// exactly one report); stops the delivery thread after it has handled every report;
    /// destroys the handle. Idempotent; `deinit` does it too (with a 5 s timeout).
    ///
    /// Called from `onDelivery` (the delivery thread), it purges and returns at once;
    /// the delivery thread then finishes the close itself after its current report.
    public func close(timeout: Duration) {
        guard usage.markClosed() else { return }
        if deliveryThread.isCurrent {
            usage.waitUntilIdle()
            core.purge()
            core.requestStop(destroyingHandleOnExit: true)
            deliveryThread.detach()
            return
        }
        usage.waitUntilIdle()
        core.flushThenPurge(timeout: timeout)
        core.requestStop(destroyingHandleOnExit: false)
        deliveryThread.join()
        core.destroyHandle()
    }
}
