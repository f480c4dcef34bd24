internal import CRdKafka

/// An owned `rd_kafka_topic_partition_list_t`, destroyed with this value.
struct NativePartitionList: ~Copyable {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(capacity: Int) {
        pointer = rd_kafka_topic_partition_list_new(Int32(clamping: max(capacity, 1)))
    }

    /// Takes ownership of a list librdkafka returned.
    init(taking pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.pointer = pointer
    }

    init(_ partitions: [TopicPartition]) {
        self.init(capacity: partitions.count)
        for partition in partitions {
            _ = rd_kafka_topic_partition_list_add(pointer, partition.topic, partition.partition)
        }
    }

    init(_ offsets: [TopicPartitionOffset]) {
        self.init(capacity: offsets.count)
        for offset in offsets {
            let element = rd_kafka_topic_partition_list_add(pointer, offset.topic, offset.partition)!
            element.pointee.offset = offset.offset
        }
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    var elements: UnsafeMutableBufferPointer<rd_kafka_topic_partition_t> {
        UnsafeMutableBufferPointer(start: pointer.pointee.elems, count: Int(pointer.pointee.cnt))
    }

    static func partitions(of list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartition] {
        guard let list else { return [] }
        return UnsafeBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt)).map {
            TopicPartition(topic: String(cString: $0.topic), partition: $0.partition)
        }
    }

    var partitions: [TopicPartition] { Self.partitions(of: pointer) }

    var offsets: [TopicPartitionOffset] {
        elements.map {
            TopicPartitionOffset(topic: String(cString: $0.topic), partition: $0.partition, offset: $0.offset)
        }
    }

    /// The first per-partition error, if any (librdkafka reports some failures only there).
    func firstError(_ context: String) -> KafkaError? {
        for element in elements where element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            return KafkaError(element.err, "\(context) \(String(cString: element.topic))[\(element.partition)]")
        }
        return nil
    }
}
