import Kafka
import Synchronization
import Testing

/// What the consumer's bounded calls do when every broker is gone: they return
/// by their deadline instead of waiting on the cluster.
@Suite("Outages", .serialized)
struct KafkaOutageTests {
    @Test func aBoundedCommitAndCloseReturnByTheirDeadlinesWithEveryBrokerDown() throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3)
        let topic = uniqueName("outage")
        try cluster.createTopic(topic, partitions: 3)
        let producer = try KafkaProducer(configuration: producerConfiguration(cluster), onDelivery: { _ in })
        for id in 0..<30 { try producer.produce(topic: topic, key: nil, value: bytes("\(id)"), opaque: UInt64(id)) }
        try producer.flush(timeout: .seconds(10))
        producer.close(timeout: .seconds(5))

        let revoked = Atomic<Int>(0)
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration(
                cluster, group: uniqueName("group"), extra: ["session.timeout.ms": "6000"])
        ) { event, _ in
            if case .revoked = event { revoked.add(1, ordering: .relaxed) }
        }
        try consumer.subscribe(topics: [topic])
        let messages = try consume(consumer, count: 30, timeout: .seconds(20))
        #expect(messages.count == 30)
        let offsets = (0..<Int32(3)).map { TopicPartitionOffset(topic: topic, partition: $0, offset: 1) }
        try consumer.commit(offsets, waitingUpTo: .seconds(5))

        cluster.setAllBrokersDown()
        var started = ContinuousClock.now
        let commitError = #expect(throws: KafkaError.self) {
            try consumer.commit(offsets, waitingUpTo: .seconds(1))
        }
        #expect(commitError?.isTransient == true, "\(String(describing: commitError))")
        #expect(started.duration(to: .now) < .seconds(3), "the commit kept to its bound")

        started = ContinuousClock.now
        do {
            try consumer.close(timeout: .seconds(2))
        } catch {
            #expect(error.code == .timedOut, "\(error)")
        }
        #expect(started.duration(to: .now) < .seconds(4), "the close kept to its bound")
        cluster.setAllBrokersUp()
        cluster.close()
    }

    @Test func aBoundedCloseServesTheFinalRevokeWhenTheClusterAnswers() throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = uniqueName("leave")
        try cluster.createTopic(topic, partitions: 2)
        let revoked = Mutex<[TopicPartition]>([])
        let consumer = try KafkaConsumer(configuration: consumerConfiguration(cluster, group: uniqueName("group"))) {
            event, consumer in
            guard case .revoked(let partitions) = event else { return }
            let offsets = partitions.map { TopicPartitionOffset(topic: $0.topic, partition: $0.partition, offset: 0) }
            try? consumer.commit(offsets, waitingUpTo: .seconds(5))
            revoked.withLock { $0 += partitions }
        }
        try consumer.subscribe(topics: [topic])
        try pollUntil(consumer, timeout: .seconds(20), { _ in }, done: { (try? consumer.assignment().count) == 2 })
        try consumer.close(timeout: .seconds(10))
        #expect(revoked.withLock { Set($0) } == Set((0..<Int32(2)).map { TopicPartition(topic: topic, partition: $0) }))
        cluster.close()
    }
}
