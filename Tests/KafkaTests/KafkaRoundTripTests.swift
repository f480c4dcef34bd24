import Kafka
import Synchronization
import Testing

@Suite("Round trip", .serialized)
struct KafkaRoundTripTests {
    /// The record the test produces as number `index`.
    static func record(_ index: Int) -> (key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader]) {
        let key: [UInt8]? = index % 7 == 0 ? nil : bytes("key-\(index % 40)")
        let value: [UInt8]? =
            switch index % 10 {
            case 0: nil
            case 1: []
            default: bytes("value-\(index)-" + String(repeating: "x", count: index % 30))
            }
        var headers = [KafkaHeader(name: "id", value: bytes("\(index)"))]
        if index % 3 == 0 {
            headers += [
                KafkaHeader(name: "repeated", value: bytes("first")),
                KafkaHeader(name: "null-valued", value: nil),
                KafkaHeader(name: "repeated", value: bytes("second")),
                KafkaHeader(name: "empty", value: []),
            ]
        }
        return (key, value, headers)
    }

    @Test func batchedDeliveryReportsCoverEveryMessageOnceInProductionOrderPerPartition() throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = uniqueName("batched-reports")
        try cluster.createTopic(topic, partitions: 2)
        let total = 2_000
        let batches = Mutex<[[DeliveryReport]]>([])
        let producer = try KafkaProducer.batchingReports(
            configuration: producerConfiguration(cluster, extra: ["linger.ms": "20"])
        ) { reports in
            batches.withLock { $0.append(reports) }
        }
        for index in 0..<total {
            try producer.produce(
                topic: topic, partition: Int32(index % 2), key: nil, value: bytes("\(index)"), opaque: UInt64(index))
        }
        try producer.flush(timeout: .seconds(30))
        producer.close(timeout: .seconds(5))
        let received = batches.withLock { $0 }
        let reports = received.flatMap { $0 }
        #expect(reports.count == total)
        #expect(reports.allSatisfy { $0.error == nil })
        #expect(Set(reports.map(\.opaque)) == Set((0..<total).map(UInt64.init)))
        #expect(received.allSatisfy { !$0.isEmpty })
        #expect(received.contains { $0.count > 1 }, "a produce response acknowledges many messages at once")
        for partition in Int32(0)..<2 {
            let offsets = reports.filter { $0.partition == partition }.sorted { $0.opaque < $1.opaque }.map(\.offset)
            #expect(offsets == Array(0..<Int64(total / 2)), "production order is offset order")
        }
    }

    @Test func tenThousandRecordsRoundTripWithKeysHeadersNullAndEmptyValuesInPartitionOrder() throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = uniqueName("round-trip")
        try cluster.createTopic(topic, partitions: 4)
        let total = 10_000

        let deliveries = DeliveryCollector()
        let producer = try KafkaProducer(
            configuration: producerConfiguration(cluster), onDelivery: deliveries.onDelivery)
        for index in 0..<total {
            let record = Self.record(index)
            try producer.produce(
                topic: topic, key: record.key, value: record.value, headers: record.headers, opaque: UInt64(index))
        }
        try producer.flush(timeout: .seconds(30))
        producer.close(timeout: .seconds(5))
        let reports = deliveries.all
        #expect(reports.count == total)
        #expect(reports.allSatisfy { $0.error == nil })
        #expect(Set(reports.map(\.opaque)) == Set((0..<total).map(UInt64.init)))

        let consumer = try KafkaConsumer(configuration: consumerConfiguration(cluster, group: uniqueName("group")))
        try consumer.subscribe(topics: [topic])
        let messages = try consume(consumer, count: total, timeout: .seconds(60))
        try consumer.close()
        #expect(messages.count == total)

        var lastIndexByPartition: [Int32: Int] = [:]
        var lastOffsetByPartition: [Int32: Int64] = [:]
        var seen = Set<Int>()
        for message in messages {
            guard let idHeader = message.headers.first, idHeader.name == "id",
                let index = text(idHeader.value).flatMap({ Int($0) })
            else {
                Issue.record("message without id header at \(message.partition)@\(message.offset)")
                continue
            }
            seen.insert(index)
            let expected = Self.record(index)
            #expect(message.key == expected.key)
            #expect(message.value == expected.value)
            #expect(message.headers == expected.headers)
            #expect(message.topic == topic)
            #expect(message.timestampMilliseconds != nil)
            #expect(index > lastIndexByPartition[message.partition, default: -1], "production order kept per partition")
            #expect(message.offset == lastOffsetByPartition[message.partition, default: -1] + 1, "offsets contiguous")
            lastIndexByPartition[message.partition] = index
            lastOffsetByPartition[message.partition] = message.offset
        }
        #expect(seen.count == total)
        // The delivery reports agree with what was consumed.
        let reportedOffsets = Dictionary(
            uniqueKeysWithValues: reports.map { (Int($0.opaque), ($0.partition, $0.offset)) })
        for message in messages {
            let index = Int(text(message.headers[0].value)!)!
            #expect(reportedOffsets[index]! == (message.partition, message.offset))
        }
        cluster.close()
    }
}
