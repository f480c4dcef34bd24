/// A consumed message, copied out of librdkafka: safe to keep and to send.
public struct KafkaMessage: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var timestampMilliseconds: Int64?
    /// `nil` is a null key.
    public var key: [UInt8]?
    /// `nil` is a null value (a tombstone); `[]` is an empty value.
    public var value: [UInt8]?
    public var headers: [KafkaHeader]

    /// Copies a borrowed message.
    public init(_ view: borrowing KafkaMessageView) {
        topic = view.topic
        partition = view.partition
        offset = view.offset
        timestampMilliseconds = view.timestampMilliseconds
        key = view.key.map { Array($0) }
        value = view.value.map { Array($0) }
        headers = view.headers
    }

    public init(
        topic: String, partition: Int32, offset: Int64, timestampMilliseconds: Int64? = nil,
        key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader] = []
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestampMilliseconds = timestampMilliseconds
        self.key = key
        self.value = value
        self.headers = headers
    }
}
