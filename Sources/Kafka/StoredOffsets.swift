/// What ``KafkaConsumer/storeOffsets(_:)`` did with each offset it was given.
///
/// librdkafka stores offsets partition by partition and reports a refusal only in
/// that partition's entry, so a call can store some offsets and refuse others. A
/// caller that remembers what it stored must look at each one: an offset it takes
/// for stored while it was refused is never stored again.
public struct StoredOffsets: Sendable, Equatable {
    /// One offset librdkafka refused, and why.
    public struct Refusal: Sendable, Equatable {
        public var offset: TopicPartitionOffset
        public var error: KafkaError

        public init(offset: TopicPartitionOffset, error: KafkaError) {
            self.offset = offset
            self.error = error
        }
    }

    /// Offsets stored: librdkafka's committer commits them.
    public var stored: [TopicPartitionOffset] = []
    /// Offsets of partitions this consumer is not assigned (`__STATE`) or has never
    /// known (`__UNKNOWN_PARTITION`): their owner commits them; not an error.
    public var notAssigned: [TopicPartitionOffset] = []
    /// Offsets refused for any other reason: not stored, to be stored again.
    public var refused: [Refusal] = []

    public init(
        stored: [TopicPartitionOffset] = [], notAssigned: [TopicPartitionOffset] = [], refused: [Refusal] = []
    ) {
        self.stored = stored
        self.notAssigned = notAssigned
        self.refused = refused
    }
}
