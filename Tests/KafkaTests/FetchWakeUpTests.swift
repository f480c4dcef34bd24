import Kafka
import Testing

@Suite("Fetch wake-up", .serialized)
struct FetchWakeUpTests {
    /// 12 MB through a 1 MiB prefetch queue: a dozen refills. Without wake-ups
    /// librdkafka 2.0.2 refills a drained queue only when the leader's broker thread
    /// wakes on its own, about a second later; with them, a refill waits for a fetch only.
    /// A fetch for a partition read to its end may wait at the broker for
    /// `fetch.wait.max.ms` (500 ms) and hold back that broker's other partitions, so the
    /// line between the two is drawn at 900 ms.
    @Test func aDrainedPrefetchQueueIsRefilledWithoutWaitingForLibrdkafkasOneSecondRecheck() throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3)
        defer { cluster.close() }
        let topic = uniqueName("refill")
        try cluster.createTopic(topic, partitions: 3)
        let producer = try KafkaProducer(configuration: producerConfiguration(cluster), onDelivery: { _ in })
        let count = 12_000
        for index in 0..<count {
            try producer.produce(topic: topic, partition: Int32(index % 3), key: nil, value: value, opaque: 0)
        }
        try producer.flush(timeout: .seconds(30))
        producer.close(timeout: .seconds(5))

        let without = try longestWait(reading: count, of: topic, from: cluster, wakingFetchers: false)
        let with = try longestWait(reading: count, of: topic, from: cluster, wakingFetchers: true)
        #expect(without.read == count && with.read == count)
        // The waits without wake-ups show the stall this type is for.
        #expect(without.longest >= .milliseconds(900), "without wake-ups: \(without)")
        #expect(with.longest < .milliseconds(900), "with wake-ups: \(with)")
        #expect(with.wakeUps > 0, "with wake-ups: \(with)")
    }

    @Test func theIntervalIsAQuarterOfThePrefetchBoundsOrOfLibrdkafkasDefaults() {
        let defaults = FetchWakeUp.Interval(quarterOfPrefetchIn: KafkaConfiguration())
        #expect(defaults == FetchWakeUp.Interval(bytes: 16 * 1024 * 1024, messages: 25_000))
        let configured = FetchWakeUp.Interval(
            quarterOfPrefetchIn: KafkaConfiguration(["queued.max.messages.kbytes": "1024", "queued.min.messages": "8"]))
        #expect(configured == FetchWakeUp.Interval(bytes: 256 * 1024, messages: 2))
        #expect(FetchWakeUp.Interval(bytes: 0, messages: 0) == FetchWakeUp.Interval(bytes: 1, messages: 1))
    }

    /// Reads `count` records from the start of every partition as fast as it can and
    /// returns the longest wait for the next record.
    private func longestWait(
        reading count: Int, of topic: String, from cluster: EmbeddedKafkaCluster, wakingFetchers: Bool
    ) throws -> (read: Int, longest: Duration, wakeUps: Int) {
        let configuration = consumerConfiguration(
            cluster, group: uniqueName("refill"),
            extra: ["queued.max.messages.kbytes": "1024", "fetch.max.bytes": "1048576"])
        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.assign(
            (0..<3).map { TopicPartitionOffset(topic: topic, partition: $0, offset: TopicPartitionOffset.beginning) })
        let wakeUp =
            wakingFetchers ? FetchWakeUp(consumer: consumer, interval: .init(quarterOfPrefetchIn: configuration)) : nil
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        var read = 0
        var longest = Duration.zero
        var last: ContinuousClock.Instant?
        while read < count, clock.now < deadline {
            var polled = 0
            _ = try consumer.poll(maxMessages: 500, timeout: .milliseconds(100)) { _ in polled += 1 }
            guard polled > 0 else { continue }
            let now = clock.now
            // From the first record on: the first fetch waits for the connections.
            if let last { longest = max(longest, last.duration(to: now)) }
            last = now
            read += polled
            wakeUp?.taken(messages: polled, bytes: polled * value.count)
        }
        wakeUp?.stop()
        try consumer.close()
        return (read, longest, wakeUp?.wakeUps ?? 0)
    }

    /// Each record's value: 1,000 bytes.
    private let value = [UInt8](repeating: 0x61, count: 1000)
}
