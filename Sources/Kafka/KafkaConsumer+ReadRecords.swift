import struct Foundation.UUID

extension KafkaConsumer {
    /// Reads a topic from the beginning until `count` records arrived or the
    /// timeout passed, through a throwaway consumer group; for demos, tools
    /// and tests that want to see what a topic holds.
    public static func readRecords(
        topic: String, count: Int, bootstrapServers: String, timeout: Duration = .seconds(30),
        configuration base: KafkaConfiguration = KafkaConfiguration()
    ) throws(KafkaError) -> [KafkaMessage] {
        var configuration = base
        configuration.bootstrapServers = bootstrapServers
        configuration.groupID = "usp-reader-\(UUID().uuidString.lowercased())"
        configuration["auto.offset.reset"] = "earliest"
        let consumer = try KafkaConsumer(configuration: configuration)
        defer { try? consumer.close() }
        try consumer.subscribe(topics: [topic])
        var records: [KafkaMessage] = []
        records.reserveCapacity(count)
        let deadline = ContinuousClock.now + timeout
        while records.count < count, ContinuousClock.now < deadline {
            if let message = try consumer.poll(timeout: .milliseconds(100)) {
                records.append(message)
            }
        }
        return records
    }
}
