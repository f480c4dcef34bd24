/// One partition of a topic.
public struct TopicPartition: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// A position in a partition. For commits this is the NEXT offset to consume
/// (last processed offset + 1), Kafka's convention.
public struct TopicPartitionOffset: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    public var offset: Int64

    /// The offset librdkafka reports when a partition has no committed offset (RD_KAFKA_OFFSET_INVALID).
    public static let invalidOffset: Int64 = -1001
    /// The first offset kept in the partition (RD_KAFKA_OFFSET_BEGINNING), for `assign`.
    public static let beginning: Int64 = -2
    /// The offset after the last record (RD_KAFKA_OFFSET_END), for `assign`.
    public static let end: Int64 = -1
    /// The group's committed offset, else `auto.offset.reset` (RD_KAFKA_OFFSET_STORED), for `assign`.
    public static let stored: Int64 = -1000

    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }
    public var description: String { "\(topic)[\(partition)]@\(offset)" }
}
