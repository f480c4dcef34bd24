internal import CRdKafka
import Synchronization

/// What librdkafka's callbacks need: the handle, the rebalance handler, the error
/// handler and a weak reference to the consumer to hand to `onRebalance`.
///
/// Lifetime: owned by the `KafkaConsumer` alone. librdkafka holds it as an unretained
/// opaque; the consumer destroys the handle (after which no callback runs) before its
/// own deinitialization releases `core`.
///
/// Sendability (`@unchecked`): `handle` is written once in `open` before the consumer
/// is shared or any callback can run, then only read; the handler and the consumer
/// reference are behind a `Mutex`.
final class ConsumerCore: @unchecked Sendable {
    /// The application's handlers, and the consumer the rebalance callback hands them.
    struct Handlers {
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
    let handlers = Mutex(Handlers())

    private init(onRebalance: @escaping @Sendable (RebalanceEvent, KafkaConsumer) -> Void) {
        self.onRebalance = onRebalance
    }

    /// Creates the consumer handle, with this core as its callbacks' opaque, and
    /// serves the main queue (errors, rebalances, commit results) from consumer polls.
    ///
    /// - Throws: an invalid property (the message names it), or a missing `group.id`.
    static func open(
        _ configuration: KafkaConfiguration,
        onRebalance: @escaping @Sendable (RebalanceEvent, KafkaConsumer) -> Void
    ) throws(KafkaError) -> ConsumerCore {
        let conf = try configuration.makeNativeConfiguration()
        guard configuration.groupID?.isEmpty == false else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(
                code: .invalidArg, name: "INVALID_PROPERTY",
                message: "Configuration property \"group.id\" is required for a consumer", isRetriable: false)
        }
        let core = ConsumerCore(onRebalance: onRebalance)
        core.installCallbacks(conf)
        let handle = try NativeClient.create(RD_KAFKA_CONSUMER, conf, configuration: configuration)
        rd_kafka_poll_set_consumer(handle)
        core.handle = handle
        return core
    }

    /// The callback trampolines: each finds this core through the configuration's opaque.
    private func installCallbacks(_ conf: OpaquePointer) {
        // The opaque is unretained: `core` is owned by this consumer, which destroys the
        // handle (the only thing that calls back) before releasing `core`.
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())
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
            let partitions = NativePartitionList.partitions(of: offsets).map(\.description).joined(separator: ", ")
            core.reportError(KafkaError(code, "commit \(partitions)"))
        }
    }

    func reportError(_ error: KafkaError) {
        let handler = handlers.withLock { $0.errorHandler }
        var error = error
        error.message = SecretValues.redacting(error.message)
        handler(error)
    }

    func reportCommit() {
        let handler = handlers.withLock { $0.commitHandler }
        handler()
    }

    func reportStatistics(_ json: String) {
        let handler = handlers.withLock { $0.statisticsHandler }
        handler(json)
    }

    /// Leaves the group without serving rebalances (rd_kafka_consumer_close) and
    /// destroys the handle, ignoring the close's error: for `deinit`.
    func closeAndDestroy() {
        _ = rd_kafka_consumer_close(handle)
        rd_kafka_destroy(handle)
    }

    /// Destroys the handle (rd_kafka_destroy), after `leaveGroup`.
    func destroy() {
        rd_kafka_destroy(handle)
    }
}
