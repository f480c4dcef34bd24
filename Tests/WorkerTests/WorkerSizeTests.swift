import Foundation
import Kafka
import KafkaTestSupport
import SampleEvents
import Testing

@testable import Worker

/// Memory bounded in bytes, and dead letters that shrink until they fit, in process
/// against the embedded cluster.
@Suite(.serialized) struct WorkerSizeTests {
    @Test func theByteBudgetStopsConsumingOnceTheRecordsInFlightHoldIt() async throws {
        let bed = try KafkaTestBed()
        let count = 1_500
        let valid = try bed.load(count)
        var configuration = bed.workerConfiguration(group: "byte-budget")
        configuration.maxInFlightBytes = 20_000
        let worker = Worker(configuration: configuration, logger: KafkaTestBed.warningsOnly)
        let summary = try await worker.run()
        #expect(summary.consumed == count)
        let peak = worker.statistics.peakInFlightBytes.load(ordering: .relaxed)
        // Sample events are below 2 KB: the budget, plus the last record taken.
        #expect(peak > 0 && peak < 20_000 + 2_500, "bytes in flight peaked at \(peak)")
        // Far below the record cap (5,000): records acknowledged behind one still in flight
        // count as records but no longer hold their bytes.
        let peakRecords = worker.statistics.peakInFlight.load(ordering: .relaxed)
        #expect(peakRecords < 100, "records in flight peaked at \(peakRecords)")
        try bed.verifyOutputs(inputCount: count, expectedCreated: valid, allowDuplicates: false)
    }

    @Test func aRecordLargerThanTheWholeBudgetStillGoesThroughAlone() async throws {
        let bed = try KafkaTestBed(partitions: 1, outputPartitions: 1)
        let big = SampleEvents.valid(7, size: 300_000)
        var records: [(value: [UInt8], headers: [KafkaHeader])] = (0..<20).map { (SampleEvents.valid($0), []) }
        records.insert((big, []), at: 5)
        try bed.produce(records)
        var configuration = bed.workerConfiguration(group: "larger-than-budget")
        configuration.maxInFlightBytes = 10_000
        let worker = Worker(configuration: configuration, logger: KafkaTestBed.warningsOnly)
        let summary = try await worker.run()
        #expect(summary.created == records.count)
        let peak = worker.statistics.peakInFlightBytes.load(ordering: .relaxed)
        // Taken while the budget had room, and nothing taken after it until it was acknowledged.
        #expect(peak >= 300_000 && peak < 300_000 + 10_000 + 3_000, "bytes in flight peaked at \(peak)")
        try bed.verifyOutputs(inputCount: records.count, expectedCreated: records.count, allowDuplicates: false)
    }

    @Test func aDeadLetterTheBrokerRefusesForItsSizeIsPublishedAgainWithoutItsValue() async throws {
        let bed = try KafkaTestBed(partitions: 1, outputPartitions: 1)
        let invalid = Array(#"{"id":"not allowed"}"#.utf8)
        try bed.produce([(invalid, [KafkaHeader(name: "x-sender", value: Array("s".utf8))])])
        // The broker refuses the first produce request (the whole letter) as too large,
        // as a topic with a smaller max.message.bytes than the producer's would.
        bed.cluster.pushRequestErrors(.produce, [.msgSizeTooLarge])
        var configuration = bed.workerConfiguration(group: "refit")
        configuration.kafka["max.in.flight.requests.per.connection"] = "1"
        let summary = try await Worker(configuration: configuration, logger: KafkaTestBed.warningsOnly).run()
        #expect(summary.deadLettered == 1)
        let letters = try bed.read(bed.topics.deadLetter, count: 1)
        try #require(letters.count == 1)
        let letter = letters[0]
        let header = { (name: String) in
            letter.headers.first { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(letter.value == nil)
        #expect(header("error-value-omitted") == String(invalid.count))
        #expect(header("x-sender") == "s", "the inbound headers stay: leaving out the value was enough")
        #expect(letter.key == Array("event-0".utf8))
        #expect(header("error-status") == "400" && header("source-offset") == "0")
        #expect(try bed.committedOffsets(group: "refit")[0] == 1)
    }
}
