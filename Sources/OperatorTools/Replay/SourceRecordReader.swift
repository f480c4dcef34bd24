import Kafka

/// Reads single records of the inbound topic by their coordinates, for dead letters
/// the worker published without their value, headers or key: the source record
/// still holds them while the inbound topic keeps it.
///
/// One consumer, assigned one partition at a time from the wanted offset (it never
/// joins or commits for its group); made on first use, as few letters need it.
final class SourceRecordReader {
    /// What became of one source record.
    enum Lookup: Equatable {
        case found(KafkaMessage)
        /// The topic no longer keeps it: below its low watermark, beyond its end,
        /// compacted away, or the topic or partition is gone.
        case gone(reason: String)
    }

    private let kafka: KafkaConfiguration
    private let group: String
    private let timeout: Duration
    private var consumer: KafkaConsumer?

    init(kafka: KafkaConfiguration, group: String, timeout: Duration = .seconds(30)) {
        self.kafka = kafka
        self.group = group
        self.timeout = timeout
    }

    deinit { try? consumer?.close() }

    /// The record at `position`, or why it is gone.
    ///
    /// - Throws: when Kafka fails otherwise (a broker not answering, a bad property):
    ///   that is no evidence the record is gone.
    func read(_ position: TopicPartitionOffset) throws(OperatorToolError) -> Lookup {
        let consumer: KafkaConsumer
        if let existing = self.consumer {
            consumer = existing
        } else {
            consumer = try KafkaClients.consumer(readerConfiguration, group: group)
            self.consumer = consumer
        }
        let partitions: Int32
        do {
            partitions = try consumer.partitionCount(topic: position.topic, timeout: timeout)
        } catch {
            guard error.code == .unknownTopicOrPartition else {
                throw .kafka(error, while: "reading the metadata of \(position.topic)")
            }
            return .gone(reason: "topic \(position.topic) does not exist")
        }
        guard position.partition >= 0, position.partition < partitions else {
            return .gone(reason: "\(position.topicPartition) does not exist")
        }
        do throws(KafkaError) {
            let (low, high) = try consumer.watermarks(
                topic: position.topic, partition: position.partition, timeout: timeout)
            guard position.offset >= low, position.offset < high else {
                return .gone(reason: "\(position.topicPartition) keeps offsets \(low)..<\(high)")
            }
            try consumer.assign([position])
            defer { try? consumer.assign([]) }
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                var found: KafkaMessage?
                _ = try consumer.poll(maxMessages: 1, timeout: .milliseconds(200)) {
                    (message: borrowing KafkaMessageView) in
                    found = KafkaMessage(message)
                }
                guard let message = found else { continue }
                if message.partition == position.partition, message.offset == position.offset { return .found(message) }
                return .gone(reason: "\(position) was compacted away (the next record is at \(message.offset))")
            }
            throw KafkaError(code: .timedOut, message: "no record within \(timeout)")
        } catch {
            throw .kafka(error, while: "reading the source record \(position)")
        }
    }

    /// The user's properties, for a consumer that reads records only.
    private var readerConfiguration: KafkaConfiguration {
        var configuration = kafka
        configuration["enable.auto.commit"] = "false"
        configuration["enable.partition.eof"] = "false"
        return configuration
    }
}
