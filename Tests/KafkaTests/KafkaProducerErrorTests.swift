import Kafka
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Producer errors", .serialized)
struct KafkaProducerErrorTests {
    @Test func retriableProduceErrorsAreRetriedWithoutLossOrDuplicates() throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = uniqueName("retriable")
        try cluster.createTopic(topic, partitions: 1)
        cluster.pushRequestErrors(
            .produce, [.notEnoughReplicas, .notEnoughReplicas, .notEnoughReplicasAfterAppend, .requestTimedOut])

        // One produce request in flight: with more, the embedded cluster (which checks an
        // idempotent producer's sequence numbers only for transactional ones) can store a
        // later batch while an earlier refused one waits for its retry, and librdkafka
        // then reports the earlier one persisted though it was never stored. A real
        // broker refuses the out-of-sequence batch; the product's default stays 5.
        let deliveries = DeliveryCollector()
        let producer = try KafkaProducer(
            configuration: producerConfiguration(
                cluster,
                extra: ["linger.ms": "1", "retry.backoff.ms": "10", "max.in.flight.requests.per.connection": "1"]),
            onDelivery: deliveries.onDelivery)
        for id in 0..<500 {
            try producer.produce(topic: topic, key: nil, value: bytes("\(id)"), opaque: UInt64(id))
        }
        try producer.flush(timeout: .seconds(30))
        #expect(producer.fatalError == nil)
        producer.close(timeout: .seconds(5))
        let reports = deliveries.all
        #expect(reports.count == 500)
        #expect(reports.allSatisfy { $0.error == nil })
        #expect(reports.map(\.opaque) == (0..<500).map(UInt64.init), "reports in production order")

        let consumer = try KafkaConsumer(configuration: consumerConfiguration(cluster, group: uniqueName("group")))
        try consumer.subscribe(topics: [topic])
        let messages = try consume(consumer, count: 500, timeout: .seconds(20))
        let extra = try consume(consumer, count: 1, timeout: .milliseconds(500))
        try consumer.close()
        #expect(messages.map { text($0.value)! } == (0..<500).map { "\($0)" })
        #expect(extra.isEmpty, "no duplicates")
        cluster.close()
    }

    @Test(arguments: [KafkaErrorCode.topicAuthorizationFailed, .msgSizeTooLarge])
    func nonRetriableProduceErrorSurfacesInTheDeliveryReport(_ code: KafkaErrorCode) throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = uniqueName("permanent")
        try cluster.createTopic(topic, partitions: 1)

        let deliveries = DeliveryCollector()
        let producer = try KafkaProducer(
            configuration: producerConfiguration(cluster, extra: ["retry.backoff.ms": "10"]),
            onDelivery: deliveries.onDelivery)
        // The connection and producer id first, so that the errors hit the produce request.
        try producer.produce(topic: topic, key: nil, value: bytes("warm-up"), opaque: 0)
        try producer.flush(timeout: .seconds(10))
        cluster.pushRequestErrors(.produce, Array(repeating: code, count: 20))
        try producer.produce(topic: topic, key: nil, value: bytes("refused"), opaque: 1)
        try? producer.flush(timeout: .seconds(10))
        cluster.clearRequestErrors(.produce)
        producer.close(timeout: .seconds(5))

        let reports = deliveries.all
        #expect(reports.count == 2)
        #expect(reports.first?.error == nil)
        let refused = try #require(reports.first { $0.opaque == 1 })
        let error = try #require(refused.error)
        #expect(error.code == code)
        #expect(error.name == code.name)
        #expect(error.name == (code == .msgSizeTooLarge ? "MSG_SIZE_TOO_LARGE" : "TOPIC_AUTHORIZATION_FAILED"))
        #expect(error.isRetriable == false)
        cluster.close()
    }

    @Test func queueFullIsThrownToTheCaller() throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = uniqueName("queue-full")
        try cluster.createTopic(topic, partitions: 1)
        cluster.setBrokerDown(1)
        let producer = try KafkaProducer(
            configuration: producerConfiguration(cluster, extra: ["queue.buffering.max.messages": "10"]),
            onDelivery: { _ in }, onError: { _ in })
        var thrown: KafkaError? = nil
        var thrownAt: Int? = nil
        for id in 0..<11 {
            do { try producer.produce(topic: topic, key: nil, value: bytes("\(id)"), opaque: UInt64(id)) } catch {
                thrown = error
                thrownAt = id
                break
            }
        }
        #expect(thrown?.code == .queueFull)
        #expect(thrown?.isRetriable == true)
        #expect(thrownAt == 10, "the eleventh message is the one refused")
        // rd_kafka_outq_len counts queued events (the broker-down errors) as well as messages.
        #expect(producer.outstandingCount >= 10)
        #expect(throws: KafkaError.self) { try producer.flush(timeout: .milliseconds(100)) }
        producer.close(timeout: .milliseconds(100))
        #expect(throws: KafkaError.self) { try producer.produce(topic: topic, key: nil, value: nil, opaque: 0) }
        cluster.close()
    }
}

@Suite("Producer lifecycle", .serialized)
struct KafkaProducerLifecycleTests {
    @Test func closingFromTheDeliveryHandlerReportsEveryMessageOnceAndStops() throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = uniqueName("self-close")
        try cluster.createTopic(topic, partitions: 1)
        let deliveries = DeliveryCollector()
        let producerReference = Mutex<KafkaProducer?>(nil)
        let collect = deliveries.onDelivery
        let producer = try KafkaProducer(
            configuration: producerConfiguration(cluster),
            onDelivery: { report in
                collect(report)
                // The first report closes the producer from its own delivery thread.
                producerReference.withLock { $0 }?.close(timeout: .seconds(1))
            })
        producerReference.withLock { $0 = producer }
        try producer.produce(topic: topic, key: nil, value: bytes("first"), opaque: 0)
        // Keep producing until the close takes effect (bounded).
        var produced = 1
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while ContinuousClock.now < deadline {
            do throws(KafkaError) {
                try producer.produce(topic: topic, key: nil, value: bytes("more"), opaque: UInt64(produced))
                produced += 1
            } catch {
                #expect(error.code == .state)
                break
            }
            usleep(1_000)
        }
        producerReference.withLock { $0 = nil }
        // The delivery thread finishes the close on its own; wait for the reports (bounded).
        let reportsDeadline = ContinuousClock.now.advanced(by: .seconds(10))
        while deliveries.count < produced && ContinuousClock.now < reportsDeadline { usleep(10_000) }
        let reports = deliveries.all
        #expect(reports.count == produced)
        #expect(Set(reports.map(\.opaque)).count == produced, "one report per message")
        #expect(reports.first?.error == nil)
        cluster.close()
    }
}
