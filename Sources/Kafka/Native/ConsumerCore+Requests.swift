internal import CRdKafka

/// The librdkafka calls behind ``KafkaConsumer``'s methods, with Swift values in and
/// out. The caller keeps the handle alive meanwhile (`KafkaConsumer.withCore`).
extension ConsumerCore {
    /// What one `rd_kafka_consumer_poll` gave.
    enum PollStep {
        /// Nothing within the wait.
        case nothing
        /// A message, handed to the body.
        case handed
        /// Partition EOF, which is not an error.
        case skipped
        /// A consumer error delivered as a message.
        case failed(KafkaError)
    }

    /// Waits up to `waitMilliseconds` for one message or consumer error; a message is
    /// lent to `body` and destroyed after it.
    func pollOnce<BodyError: Error>(
        waitMilliseconds: Int32, _ body: (borrowing KafkaMessageView) throws(BodyError) -> Void
    ) throws(BodyError) -> PollStep {
        guard let message = rd_kafka_consumer_poll(handle, waitMilliseconds) else { return .nothing }
        if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            defer { rd_kafka_message_destroy(message) }
            try body(KafkaMessageView(message))
            return .handed
        }
        let error = consumerError(message)
        rd_kafka_message_destroy(message)
        return error.map { .failed($0) } ?? .skipped
    }

    /// The error carried by a consumer error message; `nil` for partition EOF.
    private func consumerError(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaError? {
        let code = message.pointee.err
        if code == RD_KAFKA_RESP_ERR__PARTITION_EOF { return nil }
        if code == RD_KAFKA_RESP_ERR__FATAL {
            return NativeClient.fatalError(handle)
                ?? KafkaError(code: .noError, message: "", isRetriable: false, isFatal: true)
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

    func subscribe(_ topics: [String]) throws(KafkaError) {
        let list = NativePartitionList(topics.map { TopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA) })
        try check(rd_kafka_subscribe(handle, list.pointer), "subscribe")
    }

    func assign(_ offsets: [TopicPartitionOffset]) throws(KafkaError) {
        if offsets.isEmpty {
            try check(rd_kafka_assign(handle, nil), "assign")
        } else {
            let list = NativePartitionList(offsets)
            try check(rd_kafka_assign(handle, list.pointer), "assign")
        }
    }

    /// rd_kafka_commit; `async` returns at once.
    func commit(_ offsets: [TopicPartitionOffset], async: Bool) throws(KafkaError) {
        let list = NativePartitionList(offsets)
        try check(rd_kafka_commit(handle, list.pointer, async ? 1 : 0), "commit")
        if !async, let error = list.firstError("commit") { throw error }
    }

    /// rd_kafka_commit_queue, waiting up to `timeout` for the answer.
    func commit(_ offsets: [TopicPartitionOffset], waitingUpTo timeout: Duration) throws(KafkaError) {
        // The result comes to a queue of our own, as an event: waiting on it is
        // what bounds the wait. Destroying the queue before the answer is safe:
        // librdkafka drops a reply whose queue is gone.
        guard let queue = rd_kafka_queue_new(handle) else { throw KafkaError.state("commit: no queue") }
        defer { rd_kafka_queue_destroy(queue) }
        let list = NativePartitionList(offsets)
        try check(rd_kafka_commit_queue(handle, list.pointer, queue, nil, nil), "commit")
        guard let event = rd_kafka_queue_poll(queue, timeout.timeoutMilliseconds) else {
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
        reportCommit()
    }

    func positions(_ partitions: [TopicPartition]) throws(KafkaError) -> [TopicPartition: Int64] {
        let list = NativePartitionList(partitions)
        try check(rd_kafka_position(handle, list.pointer), "position")
        var result: [TopicPartition: Int64] = [:]
        for element in list.elements where element.err == RD_KAFKA_RESP_ERR_NO_ERROR && element.offset >= 0 {
            result[TopicPartition(topic: String(cString: element.topic), partition: element.partition)] =
                element.offset
        }
        return result
    }

    func storeOffsets(_ offsets: [TopicPartitionOffset]) throws(KafkaError) -> StoredOffsets {
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

    func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = NativePartitionList(partitions)
        try check(rd_kafka_pause_partitions(handle, list.pointer), "pause")
        if let error = list.firstError("pause") { throw error }
    }

    func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = NativePartitionList(partitions)
        try check(rd_kafka_resume_partitions(handle, list.pointer), "resume")
        if let error = list.firstError("resume") { throw error }
    }

    func assignment() throws(KafkaError) -> [TopicPartition] {
        var pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>? = nil
        try check(rd_kafka_assignment(handle, &pointer), "assignment")
        guard let pointer else { return [] }
        return NativePartitionList(taking: pointer).partitions
    }

    func watermarks(
        topic: String, partition: Int32, timeout: Duration
    ) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = -1
        var high: Int64 = -1
        try check(
            rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high, timeout.timeoutMilliseconds),
            "watermarks \(topic)[\(partition)]")
        return (low, high)
    }

    /// rd_kafka_offsets_for_times with the "latest" timestamp (-1, the value of
    /// RD_KAFKA_OFFSET_END): ListOffsets batched by leader.
    func endOffsets(_ partitions: [TopicPartition], timeout: Duration) throws(KafkaError) -> [TopicPartitionOffset] {
        let list = NativePartitionList(
            partitions.map {
                TopicPartitionOffset(topic: $0.topic, partition: $0.partition, offset: TopicPartitionOffset.end)
            })
        try check(rd_kafka_offsets_for_times(handle, list.pointer, timeout.timeoutMilliseconds), "end offsets")
        if let error = list.firstError("end offsets") { throw error }
        return list.offsets
    }

    func committed(_ partitions: [TopicPartition], timeout: Duration) throws(KafkaError) -> [TopicPartitionOffset] {
        let list = NativePartitionList(partitions)
        try check(rd_kafka_committed(handle, list.pointer, timeout.timeoutMilliseconds), "committed")
        if let error = list.firstError("committed") { throw error }
        return list.offsets
    }

    func partitionCount(topic: String, timeout: Duration) throws(KafkaError) -> Int32 {
        var metadata: UnsafePointer<rd_kafka_metadata>? = nil
        try check(rd_kafka_metadata(handle, 1, nil, &metadata, timeout.timeoutMilliseconds), "metadata")
        guard let metadata else { throw KafkaError(code: .unknownTopicOrPartition, message: "metadata: none returned") }
        defer { rd_kafka_metadata_destroy(metadata) }
        let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
        guard let entry = topics.first(where: { String(cString: $0.topic) == topic }) else {
            throw KafkaError(code: .unknownTopicOrPartition, message: "metadata: topic \"\(topic)\" does not exist")
        }
        try check(entry.err, "metadata \(topic)")
        return entry.partition_cnt
    }

    /// Leaves the group, serving the final revoke through `onRebalance` on this thread
    /// (it may still commit); the handle stays usable until this returns. Without a
    /// deadline: rd_kafka_consumer_close. Returns the close's outcome, or nil when the
    /// deadline passed first.
    func leaveGroup(until deadline: ContinuousClock.Instant?) -> Result<Void, KafkaError>? {
        let error: rd_kafka_resp_err_t
        if let deadline {
            guard let closed = closeServingRebalances(until: deadline) else { return nil }
            error = closed
        } else {
            error = rd_kafka_consumer_close(handle)
        }
        do throws(KafkaError) {
            try check(error, "close")
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    /// rd_kafka_consumer_close_queue, serving the queue on this thread until the
    /// consumer is closed; nil when the deadline passed first.
    ///
    /// The queue is served as events: prefetched messages are forwarded to it too,
    /// and serving it with callbacks would trip librdkafka's assertion on them. A
    /// rebalance event goes through the same path as the rebalance callback, so
    /// `onRebalance` still sees the final revoke; everything else is dropped.
    private func closeServingRebalances(until deadline: ContinuousClock.Instant) -> rd_kafka_resp_err_t? {
        guard let queue = rd_kafka_queue_new(handle) else { return rd_kafka_consumer_close(handle) }
        defer { rd_kafka_queue_destroy(queue) }
        if let failure = rd_kafka_consumer_close_queue(handle, queue) {
            return KafkaError(consuming: failure).code.cValue
        }
        while rd_kafka_consumer_closed(handle) == 0 {
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero { return nil }
            guard let event = rd_kafka_queue_poll(queue, min(left, .milliseconds(100)).timeoutMilliseconds) else {
                continue
            }
            if rd_kafka_event_type(event) == RD_KAFKA_EVENT_REBALANCE {
                rebalance(rd_kafka_event_error(event), rd_kafka_event_topic_partition_list(event))
            }
            rd_kafka_event_destroy(event)
        }
        return RD_KAFKA_RESP_ERR_NO_ERROR
    }
}
