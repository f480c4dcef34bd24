internal import CRdKafka
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The error of ``KafkaConsumer/poll(maxMessages:timeout:_:)``: either the consumer
/// failed (a fatal error, a closed consumer) or the body threw.
public enum KafkaConsumerPollError<BodyError: Error>: Error {
    /// The consumer failed; the body was not called for the failing step.
    case kafka(KafkaError)
    /// The body threw for one message: that message counts as handed; the next poll
    /// continues after it (seek or reopen to see it again).
    case body(BodyError)
}

/// A Kafka group consumer: one librdkafka consumer handle, driven by the caller's
/// polling thread.
///
/// Defaults (applied only when the configuration does not set the key):
/// `enable.auto.commit=false` and `enable.auto.offset.store=false` (the application
/// commits exactly what it processed), `partition.assignment.strategy=cooperative-sticky`
/// (a rebalance only moves the partitions that must move), `enable.partition.eof=false`.
/// Fetching keeps librdkafka's defaults: a fetch returns as soon as data arrives
/// (`fetch.min.bytes=1`), so a shorter `fetch.wait.max.ms` only adds idle requests (on
/// the embedded cluster, 1,000,000 records took the same time with 10 and with 500).
///
/// Threading: `poll` and `close` belong to one polling thread. `onRebalance` and the
/// error handler run on that thread, inside `poll` or `close`. The other methods
/// (`commit`, `pause`, `resume`, `assignment`, `watermarks`, `committed`,
/// `partitionCount`) may be called from any thread, including from within the poll body
/// and `onRebalance`.
///
/// Sendability (`@unchecked`): the stored properties are constants (`core`, whose
/// mutable parts are behind a `Mutex`) or atomics; the librdkafka consumer handle is
/// thread-safe for the calls made from other threads; `HandleUsage` keeps the handle
/// alive while any call is inside it and only `close` destroys it, once.
public final class KafkaConsumer: @unchecked Sendable {
    private let core: ConsumerCore
    private let usage = HandleUsage()
    private let closeStarted = Atomic<Bool>(false)
    /// The thread inside `poll` (0: none), so that `close` from the body or the
    /// rebalance handler is refused instead of waiting for itself.
    private let pollingThread = Atomic<UInt>(0)

    /// Default properties for consumers; see the type's documentation.
    public static let defaultProperties: KeyValuePairs<String, String> = [
        "enable.auto.commit": "false",
        "enable.auto.offset.store": "false",
        "partition.assignment.strategy": "cooperative-sticky",
        "enable.partition.eof": "false",
    ]

    /// Creates the consumer (it joins the group on `subscribe`).
    ///
    /// - Parameter onRebalance: called from inside `poll`/`close` on the polling thread,
    ///   BEFORE the consumer applies the change (incremental assign/unassign for the
    ///   cooperative protocol, assign for eager). It may block to finish work and may
    ///   call `commit(…, mode: .sync)` for revoked partitions: they are released only
    ///   after it returns. Empty changes are not announced. It is not called while the
    ///   consumer is being deinitialized (call `close()` to serve the final revoke).
    /// - Throws: an invalid property (the message names it), or a missing `group.id`.
    public init(
        configuration: KafkaConfiguration,
        onRebalance: @escaping @Sendable (RebalanceEvent, KafkaConsumer) -> Void = { _, _ in }
    ) throws(KafkaError) {
        let effective = configuration.withDefaults(Self.defaultProperties)
        let conf = try effective.makeNativeConfiguration()
        guard effective.groupID?.isEmpty == false else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(code: .invalidArg, name: "INVALID_PROPERTY",
                             message: "Configuration property \"group.id\" is required for a consumer", isRetriable: false)
        }
        let core = ConsumerCore(onRebalance: onRebalance)
        // The opaque is unretained: `core` is owned by this consumer, which destroys the
        // handle (the only thing that calls back) before releasing `core`.
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(core).toOpaque())
        rd_kafka_conf_set_rebalance_cb(conf) { _, kind, partitions, opaque in
            Unmanaged<ConsumerCore>.fromOpaque(opaque!).takeUnretainedValue().rebalance(kind, partitions)
        }
        rd_kafka_conf_set_error_cb(conf) { _, code, reason, opaque in
            let core = Unmanaged<ConsumerCore>.fromOpaque(opaque!).takeUnretainedValue()
            let code = rd_kafka_resp_err_t(rawValue: code)
            core.reportError(KafkaError(code: KafkaErrorCode(code), message: reason.map { String(cString: $0) }))
        }
        rd_kafka_conf_set_stats_cb(conf) { _, json, length, opaque in
            guard let json else { return 0 }
            let text = String(decoding: UnsafeRawBufferPointer(start: json, count: length), as: UTF8.self)
            Unmanaged<ConsumerCore>.fromOpaque(opaque!).takeUnretainedValue().reportStatistics(text)
            return 0  // librdkafka frees the buffer
        }
        rd_kafka_conf_set_offset_commit_cb(conf) { _, code, offsets, opaque in
            // Commit results (async and automatic commits have no other report). No
            // stored offset to commit is not an error, nor a commit.
            guard code != RD_KAFKA_RESP_ERR__NO_OFFSET else { return }
            let core = Unmanaged<ConsumerCore>.fromOpaque(opaque!).takeUnretainedValue()
            guard code != RD_KAFKA_RESP_ERR_NO_ERROR else {
                core.reportCommit()
                return
            }
            let where_ = NativePartitionList.partitions(of: offsets).map(\.description).joined(separator: ", ")
            core.reportError(KafkaError(code, "commit \(where_)"))
        }
        var errorText = [CChar](repeating: 0, count: 512)
        // rd_kafka_new takes ownership of `conf` on success only.
        guard let handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            let message = effective.redactingSecrets(in: String(cBuffer: errorText))
            throw KafkaError(code: .invalidArg, name: "INVALID_CONFIGURATION", message: message, isRetriable: false)
        }
        // Serve the main queue (errors, rebalances, commit results) from consumer polls.
        rd_kafka_poll_set_consumer(handle)
        core.handle = handle
        self.core = core
        core.owner.withLock { $0.consumer = self }
    }

    deinit {
        if !closeStarted.exchange(true, ordering: .acquiringAndReleasing) {
            _ = usage.markClosed()
            usage.waitUntilIdle()
            _ = rd_kafka_consumer_close(core.handle)
            rd_kafka_destroy(core.handle)
        }
    }

    /// Sets the handler for non-fatal errors librdkafka reports (broker connection
    /// errors, failed commits, consumer error messages other than partition EOF). It runs
    /// on the polling thread inside `poll`. Set it before `subscribe`; by default errors
    /// are written to standard error.
    public func setErrorHandler(_ handler: @escaping @Sendable (KafkaError) -> Void) {
        core.owner.withLock { $0.errorHandler = handler }
    }

    /// Sets the handler called after each commit the coordinator accepted (manual or
    /// automatic), on the polling thread inside `poll`; for counting commits.
    public func setCommitHandler(_ handler: @escaping @Sendable () -> Void) {
        core.owner.withLock { $0.commitHandler = handler }
    }

    /// Sets the handler for librdkafka's statistics: one JSON document (see
    /// librdkafka's STATISTICS.md) every `statistics.interval.ms`, which is 0 (none)
    /// unless configured. It runs on the polling thread inside `poll`, so it should
    /// only hand the text on.
    public func setStatisticsHandler(_ handler: @escaping @Sendable (String) -> Void) {
        core.owner.withLock { $0.statisticsHandler = handler }
    }

    /// Subscribes to `topics` (replacing any previous subscription); the group
    /// assigns partitions during later polls.
    public func subscribe(topics: [String]) throws(KafkaError) {
        try withHandle { (handle) throws(KafkaError) in
            let list = NativePartitionList(topics.map { TopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA) })
            try check(rd_kafka_subscribe(handle, list.pointer), "subscribe")
        }
    }

    /// Consumes exactly these partitions from these offsets, without joining the group
    /// (no rebalances; `onRebalance` is not called). Use `TopicPartitionOffset.beginning`
    /// or `.end` for the log's ends, or `.stored` for the group's committed offset.
    /// An empty list removes the assignment. Do not mix with `subscribe`.
    public func assign(_ offsets: [TopicPartitionOffset]) throws(KafkaError) {
        try withHandle { (handle) throws(KafkaError) in
            if offsets.isEmpty {
                try check(rd_kafka_assign(handle, nil), "assign")
            } else {
                let list = NativePartitionList(offsets)
                try check(rd_kafka_assign(handle, list.pointer), "assign")
            }
        }
    }

    /// Waits up to `timeout` for the first message, then hands each message already
    /// available (up to `maxMessages`, without waiting) to `body`, borrowed: its buffers
    /// are valid only during the call and nothing is copied. Rebalance and error
    /// callbacks run inside this call, between messages. Partition EOF is skipped; other
    /// non-fatal consumer errors go to the error handler.
    ///
    /// - Returns: how many messages were handed to `body` (0 on timeout).
    /// - Throws: `.kafka` for a fatal consumer error or a closed consumer, `.body` when
    ///   `body` threw (the messages after that one stay unread).
    public func poll<BodyError: Error>(
        maxMessages: Int, timeout: Duration,
        _ body: (borrowing KafkaMessageView) throws(BodyError) -> Void
    ) throws(KafkaConsumerPollError<BodyError>) -> Int {
        try pollMessages(maxMessages: maxMessages, timeout: timeout, body)
    }

    private func pollMessages<BodyError: Error>(
        maxMessages: Int, timeout: Duration,
        _ body: (borrowing KafkaMessageView) throws(BodyError) -> Void
    ) throws(KafkaConsumerPollError<BodyError>) -> Int {
        guard usage.enter() else { throw .kafka(KafkaError.state("the consumer is closed")) }
        defer { usage.leave() }
        let thread = currentThreadID()
        pollingThread.store(thread, ordering: .relaxed)
        defer { pollingThread.store(0, ordering: .relaxed) }

        let handle = core.handle
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var wait = timeout.milliseconds
        var handed = 0
        while handed < maxMessages {
            guard let message = rd_kafka_consumer_poll(handle, wait) else {
                // Nothing more within `wait`.
                break
            }
            let code = message.pointee.err
            if code == RD_KAFKA_RESP_ERR_NO_ERROR {
                defer { rd_kafka_message_destroy(message) }
                handed += 1
                do {
                    try body(KafkaMessageView(message))
                } catch {
                    throw .body(error)
                }
                wait = 0
                continue
            }
            // An error delivered as a message.
            let error = consumerError(message)
            rd_kafka_message_destroy(message)
            if let error {
                if error.isFatal { throw .kafka(error) }
                core.reportError(error)
            }
            // Keep waiting for a first message until the deadline.
            if handed == 0 {
                let left = clock.now.duration(to: deadline)
                if left <= .zero { break }
                wait = left.milliseconds
            }
        }
        return handed
    }

    /// Polls with a body that does not throw; see the generic variant.
    public func poll(
        maxMessages: Int, timeout: Duration,
        _ body: (borrowing KafkaMessageView) -> Void
    ) throws(KafkaError) -> Int {
        do {
            return try pollMessages(maxMessages: maxMessages, timeout: timeout) { (message: borrowing KafkaMessageView) throws(Never) in
                body(message)
            }
        } catch {
            switch error {
            case .kafka(let error): throw error
            }
        }
    }

    /// Owning convenience: waits up to `timeout` for one message and copies it; `nil`
    /// on timeout.
    public func poll(timeout: Duration) throws(KafkaError) -> KafkaMessage? {
        var result: KafkaMessage? = nil
        _ = try poll(maxMessages: 1, timeout: timeout) { (message: borrowing KafkaMessageView) in
            result = KafkaMessage(message)
        }
        return result
    }

    /// The error carried by a consumer error message; `nil` for partition EOF.
    private func consumerError(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaError? {
        let code = message.pointee.err
        if code == RD_KAFKA_RESP_ERR__PARTITION_EOF { return nil }
        if code == RD_KAFKA_RESP_ERR__FATAL {
            var text = [CChar](repeating: 0, count: 512)
            let underlying = rd_kafka_fatal_error(core.handle, &text, text.count)
            return KafkaError(code: KafkaErrorCode(underlying), message: String(cBuffer: text), isRetriable: false, isFatal: true)
        }
        var context = "consume"
        if let topic = message.pointee.rkt {
            context += " \(String(cString: rd_kafka_topic_name(topic)))[\(message.pointee.partition)]"
        }
        var error = KafkaError(code, context)
        if let detail = rd_kafka_message_errstr(message) {
            error.message = "\(context): \(String(cString: detail))"
        }
        return error
    }

    /// How `commit` waits for the broker.
    public enum CommitMode: Sendable {
        /// Returns once the coordinator acknowledged the commit (or throws).
        case sync
        /// Returns at once; a failure goes to the error handler during a later poll.
        case async
    }

    /// Commits exactly these offsets: each is the NEXT offset to consume (last
    /// processed + 1), Kafka's convention. An empty list commits nothing.
    public func commit(_ offsets: [TopicPartitionOffset], mode: CommitMode) throws(KafkaError) {
        // An empty (NULL) list would make librdkafka commit its stored offsets instead.
        guard !offsets.isEmpty else { return }
        try withHandle { (handle) throws(KafkaError) in
            let list = NativePartitionList(offsets)
            try check(rd_kafka_commit(handle, list.pointer, mode == .async ? 1 : 0), "commit")
            if mode == .sync, let error = list.firstError("commit") { throw error }
        }
    }

    /// Commits exactly these offsets and waits up to `timeout` for the coordinator's
    /// answer; like `commit(…, mode: .sync)`, but bounded, for shutdowns and revokes
    /// that have a deadline. An empty list commits nothing.
    ///
    /// - Throws: `.timedOut` when no answer came in time (the commit may still land),
    ///   or the commit's own error (the first per-partition one included).
    public func commit(_ offsets: [TopicPartitionOffset], waitingUpTo timeout: Duration) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        try withHandle { (handle) throws(KafkaError) in
            // The result comes to a queue of our own, as an event: waiting on it is
            // what bounds the wait. Destroying the queue before the answer is safe:
            // librdkafka drops a reply whose queue is gone.
            guard let queue = rd_kafka_queue_new(handle) else { throw KafkaError.state("commit: no queue") }
            defer { rd_kafka_queue_destroy(queue) }
            let list = NativePartitionList(offsets)
            try check(rd_kafka_commit_queue(handle, list.pointer, queue, nil, nil), "commit")
            guard let event = rd_kafka_queue_poll(queue, timeout.milliseconds) else {
                throw KafkaError(code: .timedOut, message: "commit: no answer from the group coordinator within \(timeout)")
            }
            defer { rd_kafka_event_destroy(event) }
            let code = rd_kafka_event_error(event)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code, "commit") }
            if let result = rd_kafka_event_topic_partition_list(event) {
                for element in UnsafeBufferPointer(start: result.pointee.elems, count: Int(result.pointee.cnt))
                where element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    throw KafkaError(element.err, "commit \(String(cString: element.topic))[\(element.partition)]")
                }
            }
            core.reportCommit()
        }
    }

    /// This consumer's position in each partition: the offset after the last record
    /// it handed to the application (records a transactional producer aborted and
    /// transaction markers are never handed over, and may lie before it); nil where it
    /// has handed none. Local: asks no broker.
    public func positions(_ partitions: [TopicPartition]) throws(KafkaError) -> [TopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        return try withHandle { (handle) throws(KafkaError) in
            let list = NativePartitionList(partitions)
            try check(rd_kafka_position(handle, list.pointer), "position")
            var result: [TopicPartition: Int64] = [:]
            for element in list.elements where element.err == RD_KAFKA_RESP_ERR_NO_ERROR && element.offset >= 0 {
                result[TopicPartition(topic: String(cString: element.topic), partition: element.partition)] =
                    element.offset
            }
            return result
        }
    }

    /// Stores offsets for librdkafka's own committer: with `enable.auto.commit=true`
    /// and `enable.auto.offset.store=false`, it commits the stored offsets every
    /// `auto.commit.interval.ms`, once more when a partition is released, and on
    /// `close`. Each offset is the NEXT one to consume (last processed + 1).
    ///
    /// This is the way to commit periodically while a cooperative rebalance may be
    /// under way: librdkafka's committer skips its turn unless the member is steady in
    /// its group, whereas an explicit commit sent while the member rejoins carries a
    /// generation the rebalance replaces, and librdkafka before 2.8.3 (Debian's 2.0.2
    /// among them) then treats the whole assignment as lost (librdkafka issue #4059).
    ///
    /// Each offset is stored or not on its own: the result says which were stored,
    /// which belong to partitions this consumer is not assigned (their new owner
    /// commits them; not an error) and which librdkafka refused otherwise.
    ///
    /// - Throws: when nothing could be looked at (a closed consumer, or
    ///   `enable.auto.offset.store=true`, which makes librdkafka refuse the call).
    @discardableResult
    public func storeOffsets(_ offsets: [TopicPartitionOffset]) throws(KafkaError) -> StoredOffsets {
        guard !offsets.isEmpty else { return StoredOffsets() }
        return try withHandle { (handle) throws(KafkaError) in
            let list = NativePartitionList(offsets)
            let result = rd_kafka_offsets_store(handle, list.pointer)
            var outcome = StoredOffsets()
            // __STATE: not assigned; __UNKNOWN_PARTITION: never known to this consumer.
            let notAssigned = [RD_KAFKA_RESP_ERR__STATE, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION]
            for element in list.elements {
                let offset = TopicPartitionOffset(
                    topic: String(cString: element.topic), partition: element.partition, offset: element.offset)
                if element.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    outcome.stored.append(offset)
                } else if notAssigned.contains(element.err) {
                    outcome.notAssigned.append(offset)
                } else {
                    let error = KafkaError(element.err, "store offset \(offset)")
                    outcome.refused.append(.init(offset: offset, error: error))
                }
            }
            // A refusal of the whole call leaves the entries without an error of their own.
            if result != RD_KAFKA_RESP_ERR_NO_ERROR, outcome.notAssigned.isEmpty, outcome.refused.isEmpty {
                throw KafkaError(result, "store offsets")
            }
            return outcome
        }
    }

    /// Stops fetching from these partitions (they stay assigned) until `resume`.
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        try withHandle { (handle) throws(KafkaError) in
            let list = NativePartitionList(partitions)
            try check(rd_kafka_pause_partitions(handle, list.pointer), "pause")
            if let error = list.firstError("pause") { throw error }
        }
    }

    /// Resumes fetching from paused partitions, where they stopped.
    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        try withHandle { (handle) throws(KafkaError) in
            let list = NativePartitionList(partitions)
            try check(rd_kafka_resume_partitions(handle, list.pointer), "resume")
            if let error = list.firstError("resume") { throw error }
        }
    }

    /// The partitions currently assigned to this consumer.
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        try withHandle { (handle) throws(KafkaError) in
            var pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>? = nil
            try check(rd_kafka_assignment(handle, &pointer), "assignment")
            guard let pointer else { return [] }
            return NativePartitionList(taking: pointer).partitions
        }
    }

    /// Asks the partition's leader for its low and high watermarks (not cached): the
    /// first offset kept and the offset the next record will get.
    public func watermarks(topic: String, partition: Int32, timeout: Duration) throws(KafkaError) -> (low: Int64, high: Int64) {
        try withHandle { (handle) throws(KafkaError) in
            var low: Int64 = -1
            var high: Int64 = -1
            try check(rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high, timeout.milliseconds),
                      "watermarks \(topic)[\(partition)]")
            return (low, high)
        }
    }

    /// The group's committed offsets for these partitions (asked of the coordinator);
    /// `TopicPartitionOffset.invalidOffset` (-1001) where nothing is committed.
    public func committed(_ partitions: [TopicPartition], timeout: Duration) throws(KafkaError) -> [TopicPartitionOffset] {
        try withHandle { (handle) throws(KafkaError) in
            let list = NativePartitionList(partitions)
            try check(rd_kafka_committed(handle, list.pointer, timeout.milliseconds), "committed")
            if let error = list.firstError("committed") { throw error }
            return list.offsets
        }
    }

    /// The topic's partition count, from the cluster's metadata. Asks for every
    /// topic's metadata rather than this one's, so that asking never auto-creates it.
    ///
    /// - Throws: `.unknownTopicOrPartition` when the topic does not exist.
    public func partitionCount(topic: String, timeout: Duration) throws(KafkaError) -> Int32 {
        try withHandle { (handle) throws(KafkaError) in
            var metadata: UnsafePointer<rd_kafka_metadata>? = nil
            try check(rd_kafka_metadata(handle, 1, nil, &metadata, timeout.milliseconds), "metadata")
            guard let metadata else { throw KafkaError(code: .unknownTopicOrPartition, message: "metadata: none returned") }
            defer { rd_kafka_metadata_destroy(metadata) }
            let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
            guard let entry = topics.first(where: { String(cString: $0.topic) == topic }) else {
                throw KafkaError(code: .unknownTopicOrPartition, message: "metadata: topic \"\(topic)\" does not exist")
            }
            try check(entry.err, "metadata \(topic)")
            return entry.partition_cnt
        }
    }

    /// Leaves the group, serving the final revoke through `onRebalance` on this thread
    /// (it may still commit), then destroys the handle. Idempotent; `deinit` does it too
    /// (without calling `onRebalance`). Must not be called from inside `poll`.
    ///
    /// With a `timeout`, leaving may take that long at most: librdkafka's own close can
    /// wait about `session.timeout.ms` when brokers are down. Past it the close is
    /// abandoned and `.timedOut` thrown; the handle is then left to the process's end,
    /// since destroying it would wait for the close after all. The group notices the
    /// member is gone when its session times out.
    public func close(timeout: Duration? = nil) throws(KafkaError) {
        if pollingThread.load(ordering: .relaxed) == currentThreadID() {
            throw KafkaError.state("close cannot be called from inside poll")
        }
        guard !closeStarted.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let handle = core.handle!
        // Leaving the group runs the revoke handler, which may still commit: the handle
        // stays usable until the close has finished.
        let error: rd_kafka_resp_err_t
        if let timeout {
            guard let closed = closeServingRebalances(handle, until: .now + timeout) else {
                throw KafkaError(code: .timedOut, message: "close: the consumer did not leave its group within \(timeout)")
            }
            error = closed
        } else {
            error = rd_kafka_consumer_close(handle)
        }
        _ = usage.markClosed()
        usage.waitUntilIdle()
        rd_kafka_destroy(handle)
        try check(error, "close")
    }

    /// rd_kafka_consumer_close_queue, serving the queue on this thread until the
    /// consumer is closed; nil when the deadline passed first.
    ///
    /// The queue is served as events: prefetched messages are forwarded to it too,
    /// and serving it with callbacks would trip librdkafka's assertion on them. A
    /// rebalance event goes through the same path as the rebalance callback, so
    /// `onRebalance` still sees the final revoke; everything else is dropped.
    private func closeServingRebalances(
        _ handle: OpaquePointer, until deadline: ContinuousClock.Instant
    ) -> rd_kafka_resp_err_t? {
        guard let queue = rd_kafka_queue_new(handle) else { return rd_kafka_consumer_close(handle) }
        defer { rd_kafka_queue_destroy(queue) }
        if let failure = rd_kafka_consumer_close_queue(handle, queue) {
            return KafkaError(consuming: failure).code.cValue
        }
        while rd_kafka_consumer_closed(handle) == 0 {
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero { return nil }
            guard let event = rd_kafka_queue_poll(queue, min(left, .milliseconds(100)).milliseconds) else { continue }
            if rd_kafka_event_type(event) == RD_KAFKA_EVENT_REBALANCE {
                core.rebalance(rd_kafka_event_error(event), rd_kafka_event_topic_partition_list(event))
            }
            rd_kafka_event_destroy(event)
        }
        return RD_KAFKA_RESP_ERR_NO_ERROR
    }

    private func withHandle<Result>(_ body: (OpaquePointer) throws(KafkaError) -> Result) throws(KafkaError) -> Result {
        guard usage.enter() else { throw KafkaError.state("the consumer is closed") }
        defer { usage.leave() }
        return try body(core.handle)
    }
}

/// What librdkafka's callbacks need: the handle, the rebalance handler, the error
/// handler and a weak reference to the consumer to hand to `onRebalance`.
///
/// Lifetime: owned by the `KafkaConsumer` alone. librdkafka holds it as an unretained
/// opaque; the consumer destroys the handle (after which no callback runs) before its
/// own deinitialization releases `core`.
///
/// Sendability (`@unchecked`): `handle` is written once in `KafkaConsumer.init` before
/// the consumer is shared or any callback can run, then only read; the handler and
/// the consumer reference are behind a `Mutex`.
final class ConsumerCore: @unchecked Sendable {
    struct Owner {
        weak var consumer: KafkaConsumer?
        var errorHandler: @Sendable (KafkaError) -> Void = { error in
            writeStandardError("kafka consumer: \(error)\n")
        }
        var commitHandler: @Sendable () -> Void = {}
        var statisticsHandler: @Sendable (String) -> Void = { _ in }
    }

    // Set once, right after rd_kafka_new, before the consumer is shared.
    var handle: OpaquePointer! = nil
    let onRebalance: @Sendable (RebalanceEvent, KafkaConsumer) -> Void
    let owner = Mutex(Owner())

    init(onRebalance: @escaping @Sendable (RebalanceEvent, KafkaConsumer) -> Void) {
        self.onRebalance = onRebalance
    }

    func reportError(_ error: KafkaError) {
        let handler = owner.withLock { $0.errorHandler }
        var error = error
        error.message = SecretValues.redacting(error.message)
        handler(error)
    }

    func reportCommit() {
        let handler = owner.withLock { $0.commitHandler }
        handler()
    }

    func reportStatistics(_ json: String) {
        let handler = owner.withLock { $0.statisticsHandler }
        handler(json)
    }
}

/// An identifier of the calling thread, never 0.
func currentThreadID() -> UInt {
    #if canImport(Glibc)
    return UInt(pthread_self())
    #else
    return UInt(bitPattern: pthread_self())
    #endif
}
