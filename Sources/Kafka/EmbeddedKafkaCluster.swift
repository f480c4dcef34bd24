internal import CRdKafka
import Synchronization

/// A Kafka protocol request kind (ApiKey), to aim injected errors at.
public struct KafkaAPIKey: RawRepresentable, Sendable, Hashable {
    public var rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    public static let produce = KafkaAPIKey(rawValue: 0)
    public static let fetch = KafkaAPIKey(rawValue: 1)
    public static let listOffsets = KafkaAPIKey(rawValue: 2)
    public static let metadata = KafkaAPIKey(rawValue: 3)
    public static let offsetCommit = KafkaAPIKey(rawValue: 8)
    public static let offsetFetch = KafkaAPIKey(rawValue: 9)
    public static let findCoordinator = KafkaAPIKey(rawValue: 10)
    public static let joinGroup = KafkaAPIKey(rawValue: 11)
    public static let heartbeat = KafkaAPIKey(rawValue: 12)
    public static let leaveGroup = KafkaAPIKey(rawValue: 13)
    public static let syncGroup = KafkaAPIKey(rawValue: 14)
    public static let apiVersions = KafkaAPIKey(rawValue: 18)
    public static let initProducerId = KafkaAPIKey(rawValue: 22)
    public static let addPartitionsToTxn = KafkaAPIKey(rawValue: 24)
    public static let endTxn = KafkaAPIKey(rawValue: 26)
    public static let txnOffsetCommit = KafkaAPIKey(rawValue: 28)
}

/// librdkafka's mock cluster: real brokers speaking the Kafka protocol on loopback
/// TCP, in this process, for tests, benchmarks and demos.
///
/// Known limits of the mock (librdkafka 2.0.2): each partition keeps at most 5 MiB or
/// 100,000 message sets and silently drops the oldest; create topics before producing;
/// the first group join takes about 3 s; no transaction markers; all brokers share one
/// thread and a fetch returns at most one producer batch per partition.
///
/// Sendability (`@unchecked`): the mock cluster's API is thread-safe (each call is a
/// request to the cluster's own thread); the stored pointers are constants, and
/// `HandleUsage` keeps them alive while any call is inside and lets only one `close`
/// destroy them.
public final class EmbeddedKafkaCluster: @unchecked Sendable {
    /// The small producer handle the mock cluster lives in; destroyed after the cluster.
    private let hostHandle: OpaquePointer
    private let cluster: OpaquePointer
    private let usage = HandleUsage()

    /// The loopback `host:port` list of the brokers.
    public let bootstrapServers: String
    /// The brokers' ids: 1…the number started.
    public let brokerIDs: ClosedRange<Int32>

    /// Starts `brokers` brokers (ids 1…brokers) on loopback ports chosen by the system.
    public init(brokers: Int = 1) throws(KafkaError) {
        let conf = rd_kafka_conf_new()!
        var errorText = [CChar](repeating: 0, count: 512)
        // The host handle never connects anywhere; keep it quiet.
        _ = rd_kafka_conf_set(conf, "log_level", "3", &errorText, errorText.count)
        guard let host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(code: .fail, message: "mock cluster host: \(String(cBuffer: errorText))")
        }
        guard let cluster = rd_kafka_mock_cluster_new(host, Int32(clamping: brokers)) else {
            rd_kafka_destroy(host)
            throw KafkaError(code: .fail, message: "cannot start a mock cluster of \(brokers) brokers")
        }
        self.hostHandle = host
        self.cluster = cluster
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        self.brokerIDs = 1...Int32(clamping: brokers)
    }

    deinit { close() }

    /// Creates a topic (the mock has no CreateTopics API; this is its direct equivalent).
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 1) throws(KafkaError) {
        try withCluster { (cluster) throws(KafkaError) in
            try check(rd_kafka_mock_topic_create(cluster, name, partitions, replicationFactor), "create topic \(name)")
        }
    }

    /// The next `errors.count` requests of this kind, to any broker, fail with these
    /// codes, in order (rd_kafka_mock_push_request_errors_array).
    public func pushRequestErrors(_ api: KafkaAPIKey, _ errors: [KafkaErrorCode]) {
        try? withCluster { cluster in
            let codes = errors.map(\.cValue)
            codes.withUnsafeBufferPointer {
                rd_kafka_mock_push_request_errors_array(cluster, api.rawValue, $0.count, $0.baseAddress)
            }
        }
    }

    /// Forgets the errors still pushed for this request kind.
    public func clearRequestErrors(_ api: KafkaAPIKey) {
        try? withCluster { cluster in rd_kafka_mock_clear_request_errors(cluster, api.rawValue) }
    }

    /// Disconnects the broker and refuses new connections (no leader change).
    public func setBrokerDown(_ brokerID: Int32) {
        try? withCluster { cluster in _ = rd_kafka_mock_broker_set_down(cluster, brokerID) }
    }

    /// Accepts connections to the broker again.
    public func setBrokerUp(_ brokerID: Int32) {
        try? withCluster { cluster in _ = rd_kafka_mock_broker_set_up(cluster, brokerID) }
    }

    /// Takes every broker down at once: a cluster outage as clients see one.
    public func setAllBrokersDown() {
        for id in brokerIDs { setBrokerDown(id) }
    }

    /// Brings every broker back.
    public func setAllBrokersUp() {
        for id in brokerIDs { setBrokerUp(id) }
    }

    /// Delays every response of the broker by `rtt` (or of all brokers with -1).
    public func setBrokerRoundTripTime(_ brokerID: Int32, _ rtt: Duration) {
        try? withCluster { cluster in _ = rd_kafka_mock_broker_set_rtt(cluster, brokerID, rtt.timeoutMilliseconds) }
    }

    /// Stops the brokers (clients see disconnects) and releases everything. Idempotent;
    /// `deinit` does it too.
    public func close() {
        guard usage.markClosed() else { return }
        usage.waitUntilIdle()
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(hostHandle)
    }

    private func withCluster<Result>(_ body: (OpaquePointer) throws(KafkaError) -> Result) throws(KafkaError) -> Result
    {
        guard usage.enter() else { throw KafkaError.state("the embedded cluster is closed") }
        defer { usage.leave() }
        return try body(cluster)
    }
}
