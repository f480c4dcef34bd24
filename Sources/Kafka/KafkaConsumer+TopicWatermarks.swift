extension KafkaConsumer {
    /// Each partition's low and high watermarks (first offset kept, next offset to
    /// be written), asked through a throwaway consumer that joins no group; for
    /// tools and tests that count what a topic holds.
    public static func watermarks(
        topic: String, bootstrapServers: String, timeout: Duration = .seconds(10),
        configuration base: KafkaConfiguration = KafkaConfiguration()
    ) throws(KafkaError) -> [(partition: Int32, low: Int64, high: Int64)] {
        var configuration = base
        configuration.bootstrapServers = bootstrapServers
        configuration.groupID = "usp-watermarks"
        let consumer = try KafkaConsumer(configuration: configuration)
        defer { try? consumer.close() }
        return try consumer.watermarks(topic: topic, timeout: timeout)
    }

    /// Each partition's low and high watermarks, asked of the partitions' leaders
    /// through this consumer: the topic's partition count, then each partition's.
    public func watermarks(
        topic: String, timeout: Duration
    ) throws(KafkaError) -> [(partition: Int32, low: Int64, high: Int64)] {
        let count = try partitionCount(topic: topic, timeout: timeout)
        var result: [(partition: Int32, low: Int64, high: Int64)] = []
        for partition in 0..<count {
            let (low, high) = try watermarks(topic: topic, partition: partition, timeout: timeout)
            result.append((partition, low, high))
        }
        return result
    }

    /// The records a topic holds now: the sum over its partitions of high minus low watermark.
    /// For tests only (`@_spi(Testing) import Kafka`): no product code counts a topic this way.
    @_spi(Testing)
    public static func recordCount(
        topic: String, bootstrapServers: String, timeout: Duration = .seconds(10)
    ) throws(KafkaError) -> Int {
        Int(
            try watermarks(topic: topic, bootstrapServers: bootstrapServers, timeout: timeout)
                .reduce(0) { $0 + $1.high - $1.low })
    }
}
