import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
/// (`commit`, `pause`, `resume`, `assignment`, `watermarks`, `endOffsets`, `committed`,
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
        let core = try ConsumerCore.open(configuration.withDefaults(Self.defaultProperties), onRebalance: onRebalance)
        self.core = core
        core.handlers.withLock { $0.consumer = self }
    }

    deinit {
        if !closeStarted.exchange(true, ordering: .acquiringAndReleasing) {
            _ = usage.markClosed()
            usage.waitUntilIdle()
            core.closeAndDestroy()
        }
    }

    /// Sets the handler for non-fatal errors librdkafka reports (broker connection
    /// errors, failed commits, consumer error messages other than partition EOF). It runs
    /// on the polling thread inside `poll`. Set it before `subscribe`; by default errors
    /// are written to standard error.
    public func setErrorHandler(_ handler: @escaping @Sendable (KafkaError) -> Void) {
        core.handlers.withLock { $0.errorHandler = handler }
    }

    /// Sets the handler called after each commit the coordinator accepted (manual or
    /// automatic), on the polling thread inside `poll`; for counting commits.
    public func setCommitHandler(_ handler: @escaping @Sendable () -> Void) {
        core.handlers.withLock { $0.commitHandler = handler }
    }

    /// Sets the handler for librdkafka's statistics: one JSON document (see
    /// librdkafka's STATISTICS.md) every `statistics.interval.ms`, which is 0 (none)
    /// unless configured. It runs on the polling thread inside `poll`, so it should
    /// only hand the text on.
    public func setStatisticsHandler(_ handler: @escaping @Sendable (String) -> Void) {
        core.handlers.withLock { $0.statisticsHandler = handler }
    }

    /// Subscribes to `topics` (replacing any previous subscription); the group
    /// assigns partitions during later polls.
    public func subscribe(topics: [String]) throws(KafkaError) {
        try withCore { (core) throws(KafkaError) in try core.subscribe(topics) }
    }

    /// Consumes exactly these partitions from these offsets, without joining the group
    /// (no rebalances; `onRebalance` is not called). Use `TopicPartitionOffset.beginning`
    /// or `.end` for the log's ends, or `.stored` for the group's committed offset.
    /// An empty list removes the assignment. Do not mix with `subscribe`.
    public func assign(_ offsets: [TopicPartitionOffset]) throws(KafkaError) {
        try withCore { (core) throws(KafkaError) in try core.assign(offsets) }
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

        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var wait = timeout.timeoutMilliseconds
        var handed = 0
        while handed < maxMessages {
            let step: ConsumerCore.PollStep
            do {
                step = try core.pollOnce(waitMilliseconds: wait, body)
            } catch {
                throw .body(error)
            }
            switch step {
            case .nothing:
                // Nothing more within `wait`.
                return handed
            case .handed:
                handed += 1
                wait = 0
                continue
            case .failed(let error):
                // An error delivered as a message.
                if error.isFatal { throw .kafka(error) }
                core.reportError(error)
            case .skipped:
                break
            }
            // Keep waiting for a first message until the deadline.
            if handed == 0 {
                let left = clock.now.duration(to: deadline)
                if left <= .zero { break }
                wait = left.timeoutMilliseconds
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
            return try pollMessages(maxMessages: maxMessages, timeout: timeout) {
                (message: borrowing KafkaMessageView) throws(Never) in
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
        try withCore { (core) throws(KafkaError) in try core.commit(offsets, async: mode == .async) }
    }

    /// Commits exactly these offsets and waits up to `timeout` for the coordinator's
    /// answer; like `commit(…, mode: .sync)`, but bounded, for shutdowns and revokes
    /// that have a deadline. An empty list commits nothing.
    ///
    /// - Throws: `.timedOut` when no answer came in time (the commit may still land),
    ///   or the commit's own error (the first per-partition one included).
    public func commit(_ offsets: [TopicPartitionOffset], waitingUpTo timeout: Duration) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        try withCore { (core) throws(KafkaError) in try core.commit(offsets, waitingUpTo: timeout) }
    }

    /// This consumer's position in each partition: the offset after the last record
    /// it handed to the application (records a transactional producer aborted and
    /// transaction markers are never handed over, and may lie before it); nil where it
    /// has handed none. Local: asks no broker.
    public func positions(_ partitions: [TopicPartition]) throws(KafkaError) -> [TopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        return try withCore { (core) throws(KafkaError) in try core.positions(partitions) }
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
        return try withCore { (core) throws(KafkaError) in try core.storeOffsets(offsets) }
    }

    /// Stops fetching from these partitions (they stay assigned) until `resume`.
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        try withCore { (core) throws(KafkaError) in try core.pause(partitions) }
    }

    /// Resumes fetching from paused partitions, where they stopped.
    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        try withCore { (core) throws(KafkaError) in try core.resume(partitions) }
    }

    /// The partitions currently assigned to this consumer.
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        try withCore { (core) throws(KafkaError) in try core.assignment() }
    }

    /// Asks the partition's leader for its low and high watermarks (not cached): the
    /// first offset kept and the offset the next record will get.
    public func watermarks(topic: String, partition: Int32, timeout: Duration) throws(KafkaError) -> (
        low: Int64, high: Int64
    ) {
        try withCore { (core) throws(KafkaError) in
            try core.watermarks(topic: topic, partition: partition, timeout: timeout)
        }
    }

    /// The offset the next record of each partition will get (its high watermark),
    /// asked of the partitions' leaders in one request a leader: cheap enough to
    /// watch a topic's progress many times a second.
    public func endOffsets(_ partitions: [TopicPartition], timeout: Duration) throws(KafkaError)
        -> [TopicPartitionOffset]
    {
        try withCore { (core) throws(KafkaError) in try core.endOffsets(partitions, timeout: timeout) }
    }

    /// The group's committed offsets for these partitions (asked of the coordinator);
    /// `TopicPartitionOffset.invalidOffset` (-1001) where nothing is committed.
    public func committed(_ partitions: [TopicPartition], timeout: Duration) throws(KafkaError)
        -> [TopicPartitionOffset]
    {
        try withCore { (core) throws(KafkaError) in try core.committed(partitions, timeout: timeout) }
    }

    /// The topic's partition count, from the cluster's metadata. Asks for every
    /// topic's metadata rather than this one's, so that asking never auto-creates it.
    ///
    /// - Throws: `.unknownTopicOrPartition` when the topic does not exist.
    public func partitionCount(topic: String, timeout: Duration) throws(KafkaError) -> Int32 {
        try withCore { (core) throws(KafkaError) in try core.partitionCount(topic: topic, timeout: timeout) }
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
        // Leaving the group runs the revoke handler, which may still commit: the handle
        // stays usable until the close has finished.
        // Only a deadline (a `timeout`) makes leaving give up.
        guard let left = core.leaveGroup(until: timeout.map { ContinuousClock.now + $0 }) else {
            let bound = timeout ?? .zero
            throw KafkaError(code: .timedOut, message: "close: the consumer did not leave its group within \(bound)")
        }
        _ = usage.markClosed()
        usage.waitUntilIdle()
        core.destroy()
        try left.get()
    }

    /// Runs `body` with the core, its handle kept open meanwhile.
    private func withCore<Result>(_ body: (ConsumerCore) throws(KafkaError) -> Result) throws(KafkaError) -> Result {
        guard usage.enter() else { throw KafkaError.state("the consumer is closed") }
        defer { usage.leave() }
        return try body(core)
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
