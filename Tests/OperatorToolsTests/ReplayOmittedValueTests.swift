import Foundation
import Kafka
import KafkaTestSupport
import SampleEvents
import Testing

@testable import OperatorTools

/// `usp-worker replay` for letters the worker published without their value: the
/// value comes back from the source record while the inbound topic keeps it; a
/// letter whose source is gone is reported and left in the dead-letter topic.
@Suite(.serialized) struct ReplayOmittedValueTests {
    @Test func anOmittedValueIsReadBackFromItsSourceAndALetterWhoseSourceIsGoneIsReported() async throws {
        let bed = try ToolTestBed()
        var kafka = bed.kafka
        kafka["message.max.bytes"] = "4000000"
        let producer = try KafkaProducer(configuration: kafka) { _ in }
        defer { producer.close(timeout: .seconds(10)) }
        // Two bodies of 1.5 MiB: above the worker's 1 MiB limit, and too large for a whole dead letter.
        let kept = SampleEvents.valid(1, size: 1_572_864)
        let lost = SampleEvents.valid(2, size: 1_572_864)
        let headers = [
            KafkaHeader(name: "authorization", value: Array("Bearer t".utf8)),
            KafkaHeader(name: "client-request-id", value: Array("c-1".utf8)),
        ]
        try producer.produce(
            topic: bed.topics.input, partition: 0, key: Array("kept".utf8), value: kept, headers: headers, opaque: 0)
        try producer.produce(topic: bed.topics.input, partition: 1, key: Array("lost".utf8), value: lost, opaque: 1)
        try producer.flush(timeout: .seconds(30))
        let summary = try await bed.runWorker(group: "worker")
        #expect(summary.deadLettered == 2)
        let letters = try bed.readAll(bed.topics.deadLetter)
        #expect(letters.count == 2)
        #expect(letters.allSatisfy { $0.value == nil && $0.header("error-value-omitted") == "1572864" })

        // The mock keeps 5 MiB a partition: four more records push the second source out.
        for index in 0..<4 {
            try producer.produce(
                topic: bed.topics.input, partition: 1, key: nil, value: [UInt8](repeating: 0x20, count: 1_500_000),
                opaque: UInt64(10 + index))
        }
        try producer.flush(timeout: .seconds(30))
        let low =
            try KafkaConsumer.watermarks(topic: bed.topics.input, bootstrapServers: bed.cluster.bootstrapServers)
            .first { $0.partition == 1 }?.low ?? 0
        try #require(low > 0, "the source of the second letter is gone")
        // Counted by end offsets: the mock may drop old records from a full partition.
        func written() throws -> Int64 {
            try KafkaConsumer.watermarks(topic: bed.topics.input, bootstrapServers: bed.cluster.bootstrapServers)
                .reduce(0) { $0 + $1.high }
        }
        let inputBefore = try written()

        let replay = try DeadLetterReplay.run(
            ReplayConfiguration(deadLetterTopic: bed.topics.deadLetter, inputTopic: bed.topics.input, kafka: bed.kafka))
        #expect(replay.read == 2)
        #expect(replay.replayed == 1)
        #expect(replay.sourceGone.count == 1)
        #expect(
            replay.sourceGone.first?.source == TopicPartitionOffset(topic: bed.topics.input, partition: 1, offset: 0))
        #expect(replay.description.hasSuffix("source-gone=1"))
        #expect(try bed.recordCount(bed.topics.deadLetter) == 2, "the letter stays in the dead-letter topic")

        // The replayed record: the original key, value and headers (no token), plus its idempotency key.
        #expect(try written() == inputBefore + 1, "exactly one letter was sent back")
        let replayed = try bed.readAll(bed.topics.input).filter {
            $0.header("idempotency-key") == "dead-letter:\(bed.topics.input)/0@0"
        }
        try #require(replayed.count == 1)
        let sameValue = replayed[0].value == kept
        #expect(sameValue, "the value came back from the source (\(replayed[0].value?.count ?? -1) bytes)")
        #expect(replayed[0].key == Array("kept".utf8))
        #expect(replayed[0].headers.map(\.name) == ["client-request-id", "idempotency-key"])
    }
}
