internal import CRdKafka

/// A librdkafka error code (`rd_kafka_resp_err_t`): Kafka protocol errors are
/// positive, librdkafka's local errors are negative (`__…` in C).
///
/// Codes are stable across releases; compare codes, not messages.
public struct KafkaErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    init(_ error: rd_kafka_resp_err_t) { self.rawValue = error.rawValue }
    var cValue: rd_kafka_resp_err_t { rd_kafka_resp_err_t(rawValue: rawValue) }

    /// The code's symbolic name, e.g. `NOT_ENOUGH_REPLICAS` or `_TIMED_OUT` (rd_kafka_err2name).
    public var name: String { String(cString: rd_kafka_err2name(cValue)) }
    public var description: String { name }

    // Kafka protocol errors.
    public static let noError = KafkaErrorCode(rawValue: 0)
    public static let unknown = KafkaErrorCode(rawValue: -1)
    public static let offsetOutOfRange = KafkaErrorCode(rawValue: 1)
    public static let corruptMessage = KafkaErrorCode(rawValue: 2)
    public static let unknownTopicOrPartition = KafkaErrorCode(rawValue: 3)
    public static let invalidMessageSize = KafkaErrorCode(rawValue: 4)
    public static let leaderNotAvailable = KafkaErrorCode(rawValue: 5)
    public static let notLeaderForPartition = KafkaErrorCode(rawValue: 6)
    public static let requestTimedOut = KafkaErrorCode(rawValue: 7)
    public static let brokerNotAvailable = KafkaErrorCode(rawValue: 8)
    public static let replicaNotAvailable = KafkaErrorCode(rawValue: 9)
    public static let msgSizeTooLarge = KafkaErrorCode(rawValue: 10)
    public static let networkException = KafkaErrorCode(rawValue: 13)
    public static let coordinatorLoadInProgress = KafkaErrorCode(rawValue: 14)
    public static let coordinatorNotAvailable = KafkaErrorCode(rawValue: 15)
    public static let notCoordinator = KafkaErrorCode(rawValue: 16)
    public static let invalidTopic = KafkaErrorCode(rawValue: 17)
    public static let recordListTooLarge = KafkaErrorCode(rawValue: 18)
    public static let notEnoughReplicas = KafkaErrorCode(rawValue: 19)
    public static let notEnoughReplicasAfterAppend = KafkaErrorCode(rawValue: 20)
    public static let invalidRequiredAcks = KafkaErrorCode(rawValue: 21)
    public static let illegalGeneration = KafkaErrorCode(rawValue: 22)
    public static let unknownMemberID = KafkaErrorCode(rawValue: 25)
    public static let notController = KafkaErrorCode(rawValue: 41)
    public static let rebalanceInProgress = KafkaErrorCode(rawValue: 27)
    public static let topicAuthorizationFailed = KafkaErrorCode(rawValue: 29)
    public static let groupAuthorizationFailed = KafkaErrorCode(rawValue: 30)
    public static let clusterAuthorizationFailed = KafkaErrorCode(rawValue: 31)
    public static let invalidRecord = KafkaErrorCode(rawValue: 87)
    public static let outOfOrderSequenceNumber = KafkaErrorCode(rawValue: 45)
    public static let duplicateSequenceNumber = KafkaErrorCode(rawValue: 46)
    public static let invalidProducerEpoch = KafkaErrorCode(rawValue: 47)
    public static let kafkaStorageError = KafkaErrorCode(rawValue: 56)
    public static let saslAuthenticationFailed = KafkaErrorCode(rawValue: 58)
    public static let unknownProducerID = KafkaErrorCode(rawValue: 59)
    public static let fencedLeaderEpoch = KafkaErrorCode(rawValue: 74)
    public static let unknownLeaderEpoch = KafkaErrorCode(rawValue: 75)
    public static let offsetNotAvailable = KafkaErrorCode(rawValue: 78)
    public static let preferredLeaderNotAvailable = KafkaErrorCode(rawValue: 80)
    public static let fencedInstanceID = KafkaErrorCode(rawValue: 82)
    public static let unstableOffsetCommit = KafkaErrorCode(rawValue: 88)
    public static let throttlingQuotaExceeded = KafkaErrorCode(rawValue: 89)
    public static let producerFenced = KafkaErrorCode(rawValue: 90)

    // librdkafka's local errors.
    public static let badMessage = KafkaErrorCode(rawValue: -199)
    public static let destroy = KafkaErrorCode(rawValue: -197)
    public static let fail = KafkaErrorCode(rawValue: -196)
    public static let transport = KafkaErrorCode(rawValue: -195)
    public static let resolve = KafkaErrorCode(rawValue: -193)
    public static let messageTimedOut = KafkaErrorCode(rawValue: -192)
    public static let partitionEOF = KafkaErrorCode(rawValue: -191)
    public static let unknownPartition = KafkaErrorCode(rawValue: -190)
    public static let unknownTopic = KafkaErrorCode(rawValue: -188)
    public static let allBrokersDown = KafkaErrorCode(rawValue: -187)
    public static let invalidArg = KafkaErrorCode(rawValue: -186)
    public static let timedOut = KafkaErrorCode(rawValue: -185)
    public static let queueFull = KafkaErrorCode(rawValue: -184)
    public static let insufficientReplicas = KafkaErrorCode(rawValue: -183)
    public static let nodeUpdate = KafkaErrorCode(rawValue: -182)
    public static let waitingForCoordinator = KafkaErrorCode(rawValue: -180)
    public static let previousInProgress = KafkaErrorCode(rawValue: -177)
    public static let ssl = KafkaErrorCode(rawValue: -181)
    public static let state = KafkaErrorCode(rawValue: -172)
    public static let authentication = KafkaErrorCode(rawValue: -169)
    public static let noOffset = KafkaErrorCode(rawValue: -168)
    public static let timedOutQueue = KafkaErrorCode(rawValue: -166)
    public static let waitingForCache = KafkaErrorCode(rawValue: -164)
    public static let purgeQueue = KafkaErrorCode(rawValue: -152)
    public static let retry = KafkaErrorCode(rawValue: -153)
    public static let purgeInflight = KafkaErrorCode(rawValue: -151)
    public static let fatal = KafkaErrorCode(rawValue: -150)
    public static let inconsistent = KafkaErrorCode(rawValue: -149)
    public static let maxPollExceeded = KafkaErrorCode(rawValue: -147)
    public static let fenced = KafkaErrorCode(rawValue: -144)
    public static let assignmentLost = KafkaErrorCode(rawValue: -142)

    /// Errors that are expected to clear by themselves: a later attempt of the same
    /// operation may succeed. This is the broker's "retriable" classification plus
    /// librdkafka's local transport and timeout errors.
    public var isRetriable: Bool { Self.retriable.contains(self) }

    /// The one classification of the Kafka layer: whether an operation that failed
    /// with this code is worth trying again because the cluster is only briefly
    /// unable to answer — brokers down or restarting (`_TRANSPORT`,
    /// `_ALL_BROKERS_DOWN`), timeouts, a coordinator loading, moving or not yet
    /// known, a rebalance or a leader change in progress, an offset commit not yet
    /// stable. A topic or partition not (yet) known is transient too: it is how a
    /// topic looks for a short while after its creation, and the caller bounds how
    /// long it waits for one (see ``KafkaRetry``). Everything else — authorization,
    /// invalid configuration or requests, a fenced or fatal client — is permanent.
    /// The worker, the operators' tools and the HTTP endpoint all decide with it.
    public var isTransient: Bool { Self.retriable.contains(self) || Self.transientBeyondRetriable.contains(self) }

    /// Codes for which the topic or partition is not (yet) known to the cluster.
    public var isUnknownTopicOrPartition: Bool {
        [.unknownTopicOrPartition, .unknownTopic, .unknownPartition].contains(self)
    }

    private static let retriable: Set<KafkaErrorCode> = [
        .corruptMessage, .unknownTopicOrPartition, .leaderNotAvailable, .notLeaderForPartition,
        .requestTimedOut, .brokerNotAvailable, .replicaNotAvailable, .networkException,
        .coordinatorLoadInProgress, .coordinatorNotAvailable, .notCoordinator,
        .notEnoughReplicas, .notEnoughReplicasAfterAppend, .rebalanceInProgress,
        .kafkaStorageError, .fencedLeaderEpoch, .unknownLeaderEpoch, .offsetNotAvailable,
        .preferredLeaderNotAvailable, .throttlingQuotaExceeded,
        .transport, .resolve, .messageTimedOut, .allBrokersDown, .timedOut, .queueFull,
        .timedOutQueue,
    ]

    /// Transient for a caller that retries the whole operation, though the broker
    /// does not call them retriable: the coordinator or the group moved on while the
    /// request was under way, or librdkafka was still waiting for what it needs.
    private static let transientBeyondRetriable: Set<KafkaErrorCode> = [
        .unknownTopic, .unknownPartition, .illegalGeneration, .unknownMemberID, .notController,
        .unstableOffsetCommit, .insufficientReplicas, .nodeUpdate, .waitingForCoordinator,
        .previousInProgress, .waitingForCache, .retry,
    ]
}

/// An error from the Kafka layer: a librdkafka error code with its name and a
/// human-readable message.
///
/// `message` is for people; `code` (and `name`) are stable. Messages never contain
/// the values of secret configuration properties.
public struct KafkaError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The librdkafka error code.
    public var code: KafkaErrorCode
    /// The code's symbolic name (rd_kafka_err2name, e.g. `NOT_ENOUGH_REPLICAS`), or
    /// `UNKNOWN_PROPERTY` / `INVALID_PROPERTY` for configuration errors.
    public var name: String
    /// What went wrong, e.g. rd_kafka_conf_set's message naming the property.
    public var message: String
    /// Whether retrying the same operation later may succeed.
    public var isRetriable: Bool
    /// Whether the client instance is unusable (an idempotent producer's fatal error,
    /// a fenced consumer): it must be closed and created anew.
    public var isFatal: Bool

    /// Whether trying the same operation again is worth it: the code is transient
    /// (``KafkaErrorCode/isTransient``) and the client is not fatally failed. The
    /// classification every caller of the Kafka layer uses.
    public var isTransient: Bool { !isFatal && (code.isTransient || isRetriable) }

    public init(
        code: KafkaErrorCode, name: String? = nil, message: String? = nil,
        isRetriable: Bool? = nil, isFatal: Bool = false
    ) {
        self.code = code
        self.name = name ?? code.name
        self.message = message ?? String(cString: rd_kafka_err2str(code.cValue))
        self.isRetriable = isRetriable ?? code.isRetriable
        self.isFatal = isFatal || code == .fatal
    }

    /// Takes over an `rd_kafka_error_t` (destroying it).
    init(consuming error: OpaquePointer) {
        defer { rd_kafka_error_destroy(error) }
        self.init(
            code: KafkaErrorCode(rd_kafka_error_code(error)),
            name: String(cString: rd_kafka_error_name(error)),
            message: String(cString: rd_kafka_error_string(error)),
            isRetriable: rd_kafka_error_is_retriable(error) != 0
                || KafkaErrorCode(rd_kafka_error_code(error)).isRetriable,
            isFatal: rd_kafka_error_is_fatal(error) != 0
        )
    }

    init(_ error: rd_kafka_resp_err_t, _ context: String? = nil) {
        let code = KafkaErrorCode(error)
        let text = String(cString: rd_kafka_err2str(error))
        self.init(code: code, message: context.map { "\($0): \(text)" } ?? text)
    }

    /// An error raised by this layer for misuse (closed handle, bad argument).
    static func state(_ message: String) -> KafkaError {
        KafkaError(code: .state, message: message, isRetriable: false)
    }

    public var description: String { "\(name): \(message)" }
}

/// Throws when `error` is not RD_KAFKA_RESP_ERR_NO_ERROR.
@inline(__always)
func check(_ error: rd_kafka_resp_err_t, _ context: @autoclosure () -> String) throws(KafkaError) {
    if error != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(error, context()) }
}

/// Throws (and destroys) a non-nil `rd_kafka_error_t`.
@inline(__always)
func check(_ error: OpaquePointer?) throws(KafkaError) {
    if let error { throw KafkaError(consuming: error) }
}
