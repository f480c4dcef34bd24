import Kafka

extension InboundRecord {
    /// Copies a consumed message out of librdkafka's buffer.
    init(_ message: borrowing KafkaMessageView) {
        self.init(
            partition: message.partition, offset: message.offset,
            timestampMilliseconds: message.timestampMilliseconds,
            key: message.key, value: message.value, headerCount: message.headerCount
        ) { visit in
            message.forEachHeader { name, value in visit(name, value) }
        }
    }
}
