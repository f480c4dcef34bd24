import Kafka
import Synchronization
import Testing

@Suite("Consumer", .serialized)
struct KafkaConsumerTests {
    @Test func tombstoneIsConsumedAsANullValueBesideEmptyAndNullKeyedRecords() throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = uniqueName("tombstone")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: producerConfiguration(cluster), onDelivery: { _ in })
        try producer.produce(topic: topic, key: bytes("gone"), value: nil, opaque: 0)
        try producer.produce(topic: topic, key: nil, value: [], opaque: 1)
        try producer.produce(topic: topic, key: [], value: bytes("v"), opaque: 2)
        try producer.flush(timeout: .seconds(10))
        producer.close(timeout: .seconds(5))

        let consumer = try KafkaConsumer(configuration: consumerConfiguration(cluster, group: uniqueName("group")))
        try consumer.subscribe(topics: [topic])
        var seen: [(key: [UInt8]?, valueIsNil: Bool, valueCount: Int?, headerCount: Int)] = []
        try pollUntil(
            consumer, timeout: .seconds(20),
            { message in
                seen.append(
                    (message.key.map { Array($0) }, message.value == nil, message.value?.count, message.headerCount))
            }, done: { seen.count >= 3 })
        try consumer.close()
        try #require(seen.count == 3)
        #expect(seen[0].key == bytes("gone") && seen[0].valueIsNil)
        #expect(seen[1].key == nil && !seen[1].valueIsNil && seen[1].valueCount == 0)
        #expect(seen[2].key == [] && seen[2].valueCount == 1)
        #expect(seen.allSatisfy { $0.headerCount == 0 })
        cluster.close()
    }

    @Test func watermarksCommittedOffsetsAndPartitionCountAreQueried() throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = uniqueName("queries")
        try cluster.createTopic(topic, partitions: 3)
        let producer = try KafkaProducer(configuration: producerConfiguration(cluster), onDelivery: { _ in })
        for id in 0..<25 {
            try producer.produce(topic: topic, partition: 1, key: nil, value: bytes("\(id)"), opaque: 0)
        }
        try producer.flush(timeout: .seconds(10))
        producer.close(timeout: .seconds(5))

        let consumer = try KafkaConsumer(configuration: consumerConfiguration(cluster, group: uniqueName("group")))
        #expect(try consumer.partitionCount(topic: topic, timeout: .seconds(5)) == 3)
        let unknown = #expect(throws: KafkaError.self) {
            _ = try consumer.partitionCount(topic: "no-such-topic", timeout: .seconds(5))
        }
        #expect(unknown?.code == .unknownTopicOrPartition)
        let marks = try consumer.watermarks(topic: topic, partition: 1, timeout: .seconds(5))
        #expect(marks.low == 0 && marks.high == 25)
        let empty = try consumer.watermarks(topic: topic, partition: 0, timeout: .seconds(5))
        #expect(empty.low == 0 && empty.high == 0)

        let partitions = (0..<3).map { TopicPartition(topic: topic, partition: $0) }
        let before = try consumer.committed(partitions, timeout: .seconds(5))
        #expect(
            before.map(\.offset) == [
                TopicPartitionOffset.invalidOffset, TopicPartitionOffset.invalidOffset,
                TopicPartitionOffset.invalidOffset,
            ])
        try consumer.commit([TopicPartitionOffset(topic: topic, partition: 1, offset: 7)], mode: .sync)
        try consumer.commit([], mode: .sync)  // nothing to commit: no change
        let after = try consumer.committed(partitions, timeout: .seconds(5))
        #expect(after.map(\.offset) == [TopicPartitionOffset.invalidOffset, 7, TopicPartitionOffset.invalidOffset])
        try consumer.close()
        cluster.close()
    }

    @Test func endOffsetsOfManyPartitionsOnSeveralBrokersAreTheHighWatermarks() throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3)
        let topic = uniqueName("end-offsets")
        try cluster.createTopic(topic, partitions: 5)
        let producer = try KafkaProducer(configuration: producerConfiguration(cluster), onDelivery: { _ in })
        for partition: Int32 in 0..<5 {
            for index in 0..<Int(partition) * 3 {
                try producer.produce(topic: topic, partition: partition, key: nil, value: bytes("\(index)"), opaque: 0)
            }
        }
        try producer.flush(timeout: .seconds(10))
        producer.close(timeout: .seconds(5))
        let consumer = try KafkaConsumer(configuration: consumerConfiguration(cluster, group: uniqueName("group")))
        let partitions = (Int32(0)..<5).map { TopicPartition(topic: topic, partition: $0) }
        let ends = try consumer.endOffsets(partitions, timeout: .seconds(10))
        #expect(ends.map(\.partition) == [0, 1, 2, 3, 4])
        #expect(ends.map(\.offset) == [0, 3, 6, 9, 12])
        for end in ends {
            #expect(
                try consumer.watermarks(topic: topic, partition: end.partition, timeout: .seconds(5)).high == end.offset
            )
        }
        try consumer.close()
        cluster.close()
    }

    @Test func storedOffsetsAreCommittedByTheAutomaticCommitterAndUnassignedOnesAreNotStored() throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = uniqueName("stored")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: producerConfiguration(cluster), onDelivery: { _ in })
        for id in 0..<20 {
            try producer.produce(topic: topic, partition: 0, key: nil, value: bytes("\(id)"), opaque: 0)
        }
        try producer.flush(timeout: .seconds(10))
        producer.close(timeout: .seconds(5))

        let group = uniqueName("group")
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration(
                cluster, group: group, extra: ["enable.auto.commit": "true", "auto.commit.interval.ms": "100"]))
        let commits = Atomic<Int>(0)
        consumer.setCommitHandler { commits.add(1, ordering: .relaxed) }
        try consumer.subscribe(topics: [topic])
        let received = try consume(consumer, count: 20, timeout: .seconds(20))
        try #require(received.count == 20)
        // Nothing is committed until something is stored (offsets are not stored automatically).
        let partition0 = TopicPartition(topic: topic, partition: 0)
        #expect(
            try consumer.committed([partition0], timeout: .seconds(5)).first?.offset
                == TopicPartitionOffset.invalidOffset)
        let stored = TopicPartitionOffset(topic: topic, partition: 0, offset: 12)
        let stray = TopicPartitionOffset(topic: "not-assigned", partition: 0, offset: 3)
        #expect(try consumer.storeOffsets([stored]) == StoredOffsets(stored: [stored]))
        #expect(try consumer.storeOffsets([stray]) == StoredOffsets(notAssigned: [stray]), "not assigned is no error")
        // One call, two outcomes: each offset says what became of it.
        let mixed = try consumer.storeOffsets([stored, stray])
        #expect(mixed == StoredOffsets(stored: [stored], notAssigned: [stray]))
        var committed = TopicPartitionOffset.invalidOffset
        try pollUntil(
            consumer, timeout: .seconds(10), { _ in },
            done: {
                committed = (try? consumer.committed([partition0], timeout: .seconds(5)).first?.offset) ?? committed
                // The commit's report arrives in a poll after the broker took it.
                return committed == 12 && commits.load(ordering: .relaxed) >= 1
            })
        #expect(committed == 12)
        #expect(commits.load(ordering: .relaxed) >= 1, "the commit handler saw the automatic commit")
        try consumer.close()
        cluster.close()
    }

    @Test func pausedPartitionDeliversNothingUntilResumed() throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = uniqueName("pause")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: producerConfiguration(cluster), onDelivery: { _ in })
        func produceBatch(_ label: String) throws {
            for id in 0..<5 {
                for partition: Int32 in 0..<2 {
                    try producer.produce(
                        topic: topic, partition: partition, key: nil, value: bytes("\(label)-\(id)"), opaque: 0)
                }
            }
            try producer.flush(timeout: .seconds(10))
        }
        try produceBatch("before")

        let consumer = try KafkaConsumer(configuration: consumerConfiguration(cluster, group: uniqueName("group")))
        try consumer.subscribe(topics: [topic])
        let first = try consume(consumer, count: 10, timeout: .seconds(20))
        #expect(first.count == 10)
        #expect(
            Set(try consumer.assignment()) == [
                TopicPartition(topic: topic, partition: 0), TopicPartition(topic: topic, partition: 1),
            ])

        let paused = TopicPartition(topic: topic, partition: 0)
        try consumer.pause([paused])
        try produceBatch("during")
        let whilePaused = try consume(consumer, count: 100, timeout: .seconds(2))
        #expect(whilePaused.count == 5)
        #expect(whilePaused.allSatisfy { $0.partition == 1 })

        try consumer.resume([paused])
        let afterResume = try consume(consumer, count: 5, timeout: .seconds(10))
        #expect(afterResume.map { text($0.value)! } == (0..<5).map { "during-\($0)" })
        #expect(afterResume.allSatisfy { $0.partition == 0 })
        try consumer.close()
        producer.close(timeout: .seconds(5))
        cluster.close()
    }

    struct Stop: Error, Equatable { let offset: Int64 }

    @Test func errorThrownByThePollBodyStopsThePollAndIsReturnedTyped() throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = uniqueName("body-throws")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: producerConfiguration(cluster), onDelivery: { _ in })
        for id in 0..<10 { try producer.produce(topic: topic, key: nil, value: bytes("\(id)"), opaque: 0) }
        try producer.flush(timeout: .seconds(10))
        producer.close(timeout: .seconds(5))

        let consumer = try KafkaConsumer(configuration: consumerConfiguration(cluster, group: uniqueName("group")))
        try consumer.subscribe(topics: [topic])
        var handed: [Int64] = []
        var caught: Stop? = nil
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while caught == nil && ContinuousClock.now < deadline {
            do throws(KafkaConsumerPollError<Stop>) {
                _ = try consumer.poll(maxMessages: 10, timeout: .milliseconds(100)) {
                    (message: borrowing KafkaMessageView) throws(Stop) in
                    handed.append(message.offset)
                    if message.offset == 3 { throw Stop(offset: 3) }
                }
            } catch {
                switch error {
                case .body(let stop): caught = stop
                case .kafka(let error): Issue.record("unexpected \(error)")
                }
            }
        }
        #expect(caught == Stop(offset: 3))
        #expect(handed == [0, 1, 2, 3])
        // The next poll continues after the message whose body threw.
        let rest = try consume(consumer, count: 6, timeout: .seconds(5))
        #expect(rest.map(\.offset) == Array(4..<10))
        // close from inside the poll body is refused rather than deadlocking.
        var closeError: KafkaError? = nil
        _ = try consumer.poll(maxMessages: 1, timeout: .milliseconds(10)) { _ in }
        try consumer.commit([TopicPartitionOffset(topic: topic, partition: 0, offset: 10)], mode: .sync)
        let producerAgain = try KafkaProducer(configuration: producerConfiguration(cluster), onDelivery: { _ in })
        try producerAgain.produce(topic: topic, key: nil, value: bytes("10"), opaque: 0)
        try producerAgain.flush(timeout: .seconds(10))
        producerAgain.close(timeout: .seconds(5))
        try pollUntil(
            consumer, timeout: .seconds(5),
            { _ in
                do throws(KafkaError) { try consumer.close() } catch { closeError = error }
            }, done: { closeError != nil })
        #expect(closeError?.code == .state)
        try consumer.close()
        cluster.close()
    }
}
