internal import CRdKafka
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the delivery thread needs: the handle, its main queue and the callbacks.
///
/// Ownership: the `KafkaProducer` holds one strong reference; the delivery thread's
/// closure holds another (released when the thread returns). The handle is
/// destroyed exactly once, after the delivery loop has stopped: by `close` after
/// joining the thread, or by the thread itself when `close` ran on it.
///
/// Sendability (`@unchecked`): `handle`, `mainQueue` and the callbacks are constants;
/// librdkafka's handle and queue are thread-safe; the flags are atomics.
final class ProducerCore: @unchecked Sendable {
    let handle: OpaquePointer
    let mainQueue: OpaquePointer
    let onDeliveries: @Sendable ([DeliveryReport]) -> Void
    let onError: @Sendable (KafkaError) -> Void
    private let stopRequested = Atomic<Bool>(false)
    private let destroyOnExit = Atomic<Bool>(false)
    /// Set from any thread, called on the delivery thread.
    let statisticsHandler = Mutex<@Sendable (String) -> Void>({ _ in })
    /// Topic handles by name, created on first use and destroyed with the client.
    private let topics = Mutex<[String: OpaquePointer]>([:])

    /// Creates the producer handle, its reports (delivery, error, statistics) served as
    /// events on its main queue.
    init(
        configuration: KafkaConfiguration, onDeliveries: @escaping @Sendable ([DeliveryReport]) -> Void,
        onError: @escaping @Sendable (KafkaError) -> Void
    ) throws(KafkaError) {
        let conf = try configuration.makeNativeConfiguration()
        rd_kafka_conf_set_events(conf, Int32(RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR | RD_KAFKA_EVENT_STATS))
        let handle = try NativeClient.create(RD_KAFKA_PRODUCER, conf, configuration: configuration)
        self.handle = handle
        self.mainQueue = rd_kafka_queue_get_main(handle)
        self.onDeliveries = onDeliveries
        self.onError = onError
    }

    func requestStop(destroyingHandleOnExit: Bool) {
        destroyOnExit.store(destroyingHandleOnExit, ordering: .releasing)
        stopRequested.store(true, ordering: .releasing)
        rd_kafka_queue_yield(mainQueue)
    }

    /// The topic's handle (rd_kafka_topic_new with the client's default topic
    /// configuration), cached: producing by handle skips the per-message lookup by name.
    func topicHandle(_ name: String) throws(KafkaError) -> OpaquePointer {
        let result: Result<OpaquePointer, KafkaError> = topics.withLock { topics in
            if let topic = topics[name] { return .success(topic) }
            guard let topic = rd_kafka_topic_new(handle, name, nil) else {
                return .failure(KafkaError(rd_kafka_last_error(), "topic \(name)"))
            }
            topics[name] = topic
            return .success(topic)
        }
        return try result.get()
    }

    /// Enqueues one message with rd_kafka_produceva (RD_KAFKA_MSG_F_COPY: the bytes are
    /// copied before this returns); see ``KafkaProducer/produce(topic:partition:key:value:headers:opaque:)``.
    func produce(
        topic: String, partition: Int32?,
        key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        headers: [KafkaHeader], opaque: UInt64
    ) throws(KafkaError) {
        let topicHandle = try topicHandle(topic)
        let nativeHeaders = Self.makeNativeHeaders(headers)
        let error: OpaquePointer? = withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { arguments in
            var count = 0
            func append(_ argument: rd_kafka_vu_t) {
                arguments.initializeElement(at: count, to: argument)
                count += 1
            }
            append(usp_vu_rkt(topicHandle))
            append(usp_vu_partition(partition ?? RD_KAFKA_PARTITION_UA))
            append(usp_vu_msgflags(RD_KAFKA_MSG_F_COPY))
            append(usp_vu_opaque(UnsafeMutableRawPointer(bitPattern: UInt(opaque))))
            if let key { append(usp_vu_key(key.baseAddress ?? usp_empty_buffer(), key.count)) }
            if let value { append(usp_vu_value(value.baseAddress ?? usp_empty_buffer(), value.count)) }
            if let nativeHeaders { append(usp_vu_headers(nativeHeaders)) }
            let error = rd_kafka_produceva(handle, arguments.baseAddress, count)
            arguments.baseAddress!.deinitialize(count: count)
            return error
        }
        if let error {
            // The message did not take ownership of the headers.
            if let nativeHeaders { rd_kafka_headers_destroy(nativeHeaders) }
            throw KafkaError(consuming: error)
        }
    }

    private static func makeNativeHeaders(_ headers: [KafkaHeader]) -> OpaquePointer? {
        guard !headers.isEmpty else { return nil }
        let list = rd_kafka_headers_new(headers.count)!
        for header in headers {
            var name = header.name
            name.withUTF8 { name in
                let namePointer = (UnsafeRawPointer(name.baseAddress) ?? usp_empty_buffer())
                    .assumingMemoryBound(to: CChar.self)
                if let value = header.value {
                    value.withUnsafeBytes { value in
                        _ = rd_kafka_header_add(
                            list, namePointer, name.count, value.baseAddress ?? usp_empty_buffer(), value.count)
                    }
                } else {
                    _ = rd_kafka_header_add(list, namePointer, name.count, nil, 0)
                }
            }
        }
        return list
    }

    /// rd_kafka_flush: throws `.timedOut` when messages remain after `timeout`.
    func flush(timeout: Duration) throws(KafkaError) {
        try check(rd_kafka_flush(handle, timeout.timeoutMilliseconds), "flush")
    }

    /// rd_kafka_outq_len: messages queued, in flight, or awaiting their delivery report.
    var outstandingCount: Int { Int(rd_kafka_outq_len(handle)) }

    var fatalError: KafkaError? { NativeClient.fatalError(handle) }

    /// Purges every message not yet delivered, queued or in flight: each is reported
    /// with `_PURGE_QUEUE`/`_PURGE_INFLIGHT`.
    func purge() {
        _ = rd_kafka_purge(handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
    }

    /// Flushes for up to `timeout`; then purges what is left and waits up to 1 s more
    /// for the purged messages' reports.
    func flushThenPurge(timeout: Duration) {
        if rd_kafka_flush(handle, timeout.timeoutMilliseconds) != RD_KAFKA_RESP_ERR_NO_ERROR {
            purge()
            _ = rd_kafka_flush(handle, 1_000)
        }
    }

    /// Releases the topic handles and the main queue reference, then the handle (rd_kafka_destroy).
    func destroyHandle() {
        for topic in topics.withLock({ $0.values }) { rd_kafka_topic_destroy(topic) }
        rd_kafka_queue_destroy(mainQueue)
        rd_kafka_destroy(handle)
    }

    /// The delivery thread: waits on the main queue (100 ms at most, and woken by
    /// `rd_kafka_queue_yield` on stop) and hands out delivery reports and errors.
    /// On stop it drains what is already queued, so no report is dropped.
    func runDeliveryLoop() {
        while !stopRequested.load(ordering: .acquiring) {
            guard let event = rd_kafka_queue_poll(mainQueue, 100) else { continue }
            handle(event)
            // While reports keep coming, take them in bursts: drain the queue, then let
            // more gather for up to 1 ms instead of blocking, so the broker thread does not
            // have to wake this thread for every produce response. After a few empty
            // rounds, block again. A report waits at most ~1 ms longer.
            var emptyRounds = 0
            while emptyRounds < 3 && !stopRequested.load(ordering: .acquiring) {
                if let event = rd_kafka_queue_poll(mainQueue, 0) {
                    handle(event)
                    while let event = rd_kafka_queue_poll(mainQueue, 0) { handle(event) }
                    emptyRounds = 0
                } else {
                    emptyRounds += 1
                }
                usleep(1_000)
            }
        }
        while let event = rd_kafka_queue_poll(mainQueue, 0) { handle(event) }
        if destroyOnExit.load(ordering: .acquiring) {
            // Closed from this thread: `close` purged everything, so the remaining reports
            // (purge errors) arrive at once; hand them out (bounded), then destroy.
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: .seconds(5))
            while rd_kafka_outq_len(handle) > 0 && clock.now < deadline {
                if let event = rd_kafka_queue_poll(mainQueue, 50) { handle(event) }
            }
            destroyHandle()
        }
    }

    private func handle(_ event: OpaquePointer) {
        defer { rd_kafka_event_destroy(event) }
        switch rd_kafka_event_type(event) {
        case RD_KAFKA_EVENT_DR:
            // The reports of one event (one produce response, say) go out together.
            var reports: [DeliveryReport] = []
            reports.reserveCapacity(rd_kafka_event_message_count(event))
            while let message = rd_kafka_event_message_next(event) {
                reports.append(
                    DeliveryReport(
                        opaque: UInt64(UInt(bitPattern: usp_message_opaque(message))),
                        partition: message.pointee.partition,
                        offset: message.pointee.offset,
                        errorCode: KafkaErrorCode(message.pointee.err),
                        latencyMicroseconds: rd_kafka_message_latency(message),
                        persistence: MessagePersistence(rd_kafka_message_status(message))
                    ))
            }
            onDeliveries(reports)
        case RD_KAFKA_EVENT_ERROR:
            let code = KafkaErrorCode(rd_kafka_event_error(event))
            let fatal = rd_kafka_event_error_is_fatal(event) != 0
            let message = SecretValues.redacting(String(cString: rd_kafka_event_error_string(event)))
            var error = KafkaError(code: code, message: message, isFatal: fatal)
            if fatal { error.isRetriable = false }
            onError(error)
        case RD_KAFKA_EVENT_STATS:
            if let json = rd_kafka_event_stats(event) {
                let handler = statisticsHandler.withLock { $0 }
                handler(String(cString: json))
            }
        default:
            break
        }
    }
}
