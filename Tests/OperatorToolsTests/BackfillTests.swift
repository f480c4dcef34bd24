import CreatePipeline
import Foundation
import Kafka
import KafkaTestSupport
import SampleEvents
import Testing

@testable import OperatorTools

/// `usp-worker backfill` against the embedded cluster, with the worker
/// consuming what it loaded.
@Suite(.serialized) struct BackfillTests {
    /// A file of sample events: valid ones, invalid ones, blank lines (empty,
    /// and of spaces and a tab) and a valid line repeated (two lines, so two events).
    private static func sampleLines() -> [[UInt8]] {
        var lines = (0..<60).map { SampleEvents.mixed($0, invalidEvery: 6).body }
        lines[10] = []
        lines[30] = Array(" \t ".utf8)
        lines.append(lines[1])
        return lines
    }

    /// The id the worker must give line `number`, from the create pipeline
    /// with the backfill's key; `nil` for a line it rejects.
    private static func expectedID(line number: Int, bytes: [UInt8]) -> String? {
        let context = CreateContext(
            idempotencyBasis: .idempotencyKey(BackfillKey.idempotencyKey(line: number, bytes: bytes)),
            eventTime: GraphTimestamp(unixMilliseconds: 0), requestID: "r",
            responseTime: GraphTimestamp(unixMilliseconds: 0))
        guard case .created(let entity) = CreatePipeline().create(bytes, context: context) else { return nil }
        return entity.id
    }

    @Test func loadingTheSameFileAgainPlainOrGzipCreatesTheSameEntityIDs() async throws {
        let bed = try ToolTestBed()
        let lines = Self.sampleLines()
        let plain = try bed.files.write("events.jsonl", lines: lines)
        let compressed = try bed.files.gzip(plain, to: "events.jsonl.gz")
        let blank = lines.filter { $0.allSatisfy { $0 == 0x20 || $0 == 0x09 } }.count
        var idOfLine: [Int: String] = [:]
        for (index, line) in lines.enumerated() {
            if let id = Self.expectedID(line: index + 1, bytes: line) { idOfLine[index + 1] = id }
        }
        let valid = idOfLine.count
        #expect(
            valid > 40 && valid < lines.count - blank && blank >= 2, "the file mixes valid, invalid and blank lines")
        #expect(Set(idOfLine.values).count == valid, "the repeated line has an id of its own")

        var summaries: [BackfillSummary] = []
        for path in [plain, plain, compressed] {
            summaries.append(
                try Backfill.run(BackfillConfiguration(input: path, topic: bed.topics.input, kafka: bed.kafka)))
        }
        for summary in summaries {
            #expect(summary.lines == lines.count)
            #expect(summary.produced == lines.count - blank)
            #expect(summary.skippedBlank == blank)
            #expect(summary.oversizedCount == 0)
            #expect(summary.bytes == Int64(lines.map { $0.count + 1 }.reduce(0, +)))
        }
        #expect(try bed.recordCount(bed.topics.input) == 3 * (lines.count - blank))

        let worker = try await bed.runWorker(group: "backfill-consumer")
        #expect(worker.created == 3 * valid)
        #expect(worker.deadLettered == 3 * (lines.count - blank - valid))

        let entities = try bed.readAll(bed.topics.output)
        #expect(entities.count == 3 * valid)
        var copies: [String: Int] = [:]
        for entity in entities {
            copies[String(decoding: entity.key ?? [], as: UTF8.self), default: 0] += 1
        }
        #expect(Set(copies.keys) == Set(idOfLine.values), "exactly the ids of the valid lines")
        #expect(copies.values.allSatisfy { $0 == 3 }, "each valid line has one id, the same in all three runs")
    }

    @Test func aLineTooLargeIsListedNotProducedAndTheRestIsLoaded() throws {
        let bed = try ToolTestBed()
        let limit = 6_000
        var kafka = bed.kafka
        kafka["message.max.bytes"] = "4000"
        let aboveLimit = SampleEvents.valid(4) + Array(repeating: 0x20, count: limit)
        let aboveMessageSize = SampleEvents.valid(5) + Array(repeating: 0x20, count: 4_000)
        let path = try bed.files.write(
            "sizes.jsonl", lines: [SampleEvents.valid(1), aboveLimit, SampleEvents.valid(2), aboveMessageSize])
        let summary = try Backfill.run(
            BackfillConfiguration(input: path, topic: bed.topics.input, kafka: kafka, maximumLineSize: limit))
        #expect(summary.produced == 2)
        #expect(summary.oversizedLines == [2, 4])
        #expect(summary.oversizedCount == 2)
        let records = try bed.readAll(bed.topics.input)
        #expect(Set(records.compactMap(\.value)) == [SampleEvents.valid(1), SampleEvents.valid(2)])
    }

    @Test func recordsCarryTheLineAsValueAndItsKeyAsKeyAndHeader() throws {
        let bed = try ToolTestBed()
        let lines = [SampleEvents.valid(7), Array("not json".utf8)]
        // CRLF line ends: the `\r` is not part of the line, so the key is the same as with `\n`.
        let path = try bed.files.write("crlf.jsonl", lines.flatMap { $0 + [0x0D, 0x0A] })
        let token = KafkaHeader(name: "authorization", value: Array("Bearer t".utf8))
        _ = try Backfill.run(
            BackfillConfiguration(input: path, topic: bed.topics.input, kafka: bed.kafka, extraHeaders: [token]))
        let records = try bed.readAll(bed.topics.input).sorted {
            $0.header("idempotency-key") ?? "" < $1.header("idempotency-key") ?? ""
        }
        let expected = lines.enumerated().map { index, line in
            (line, Array(BackfillKey.idempotencyKey(line: index + 1, bytes: line).utf8))
        }.sorted { String(decoding: $0.1, as: UTF8.self) < String(decoding: $1.1, as: UTF8.self) }
        #expect(records.count == 2)
        for (record, (line, key)) in zip(records, expected) {
            #expect(record.value == line)
            #expect(record.key == key)
            #expect(record.headers == [KafkaHeader(name: "idempotency-key", value: key), token])
        }
    }

    @Test func aLineTheBrokersRefuseStopsTheBackfillNamingIt() throws {
        let bed = try ToolTestBed()
        let path = try bed.files.write("refused.jsonl", lines: [[], SampleEvents.valid(1), SampleEvents.valid(2)])
        bed.cluster.pushRequestErrors(.produce, Array(repeating: .topicAuthorizationFailed, count: 1_000))
        defer { bed.cluster.clearRequestErrors(.produce) }
        #expect {
            try Backfill.run(BackfillConfiguration(input: path, topic: bed.topics.input, kafka: bed.kafka))
        } throws: { error in
            guard case .lineNotDelivered(let line, let failed, let cause) = error as? OperatorToolError else {
                return false
            }
            return line == 2 && failed == 2 && cause.code == .topicAuthorizationFailed
                && String(describing: error).contains("line 2 was not delivered")
        }
    }

    @Test func aTopicThatDoesNotExistIsRefusedBeforeAnythingIsProduced() throws {
        let bed = try ToolTestBed()
        let path = try bed.files.write("one.jsonl", lines: [SampleEvents.valid(1)])
        #expect {
            try Backfill.run(BackfillConfiguration(input: path, topic: "no-such-topic", kafka: bed.kafka))
        } throws: { error in
            guard case .missingTopic(let topic, _) = error as? OperatorToolError else { return false }
            return topic == "no-such-topic"
        }
    }
}
