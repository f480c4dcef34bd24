import Foundation

/// The part of librdkafka's statistics document (STATISTICS.md) the worker's
/// health checks and metrics read. librdkafka writes one every
/// `statistics.interval.ms` for each client.
struct KafkaStatisticsDocument: Decodable, Sendable {
    struct Broker: Decodable, Sendable {
        /// `INIT`, `DOWN`, `CONNECT`, `AUTH`, `APIVERSION_QUERY`, `AUTH_HANDSHAKE`, `UP`, `UPDATE`.
        var state: String
        /// `configured` (bootstrap), `learned` (from metadata), `internal` or `logical`.
        var source: String

        /// A real connection to a broker of the cluster that is up. The internal
        /// broker is always "up" and the logical ones mirror a real one.
        var isConnectedClusterBroker: Bool {
            state == "UP" && (source == "learned" || source == "configured")
        }
    }

    struct Partition: Decodable, Sendable {
        var partition: Int32
        /// Whether the application wants it: for a group consumer, it is assigned.
        var desired: Bool
        /// -1001 when the group has committed nothing.
        var committedOffset: Int64
        /// The high watermark and the last stable offset, from fetch responses; -1 until known.
        var hiOffset: Int64
        var lsOffset: Int64
        /// The log start offset; -1 until known.
        var loOffset: Int64
        /// librdkafka's lag: (last stable or high) offset minus committed offset; -1 when either is unknown.
        var consumerLag: Int64
        /// Producers: messages given to the partition, and messages sent to its
        /// leader, each retry sending its messages again.
        var msgs: Int
        var txmsgs: Int

        enum CodingKeys: String, CodingKey {
            case partition, desired, msgs, txmsgs
            case committedOffset = "committed_offset"
            case hiOffset = "hi_offset"
            case lsOffset = "ls_offset"
            case loOffset = "lo_offset"
            case consumerLag = "consumer_lag"
        }
    }

    struct Topic: Decodable, Sendable {
        var partitions: [String: Partition]
    }

    struct Group: Decodable, Sendable {
        /// `up` once the coordinator is known and connected.
        var state: String
        /// `steady` once the member has its assignment (possibly empty).
        var joinState: String
        var assignmentSize: Int

        enum CodingKeys: String, CodingKey {
            case state
            case joinState = "join_state"
            case assignmentSize = "assignment_size"
        }
    }

    var brokers: [String: Broker]
    var topics: [String: Topic]
    /// Consumers only.
    var cgrp: Group?

    static func parse(_ json: String) throws -> KafkaStatisticsDocument {
        try JSONDecoder().decode(KafkaStatisticsDocument.self, from: Data(json.utf8))
    }

    var connectedBrokers: Int { brokers.values.filter(\.isConnectedClusterBroker).count }

    /// Messages a producer sent again after a retriable error: what each
    /// partition sent beyond what it was given. librdkafka counts every
    /// transmission, but not the retries themselves; the figure is exact once
    /// the retried messages have left the queue, and an undercount before.
    var messagesSentAgain: Int {
        topics.values.reduce(0) { total, topic in
            total + topic.partitions.values.reduce(0) { $0 + ($1.partition >= 0 ? max(0, $1.txmsgs - $1.msgs) : 0) }
        }
    }

    /// The topic's assigned partitions (librdkafka's `-1` is its own placeholder).
    func assignedPartitions(of topic: String) -> [Partition] {
        (topics[topic]?.partitions.values).map { $0.filter { $0.partition >= 0 && $0.desired } } ?? []
    }
}
