import CreatePipeline
import Foundation
import Kafka
import KafkaTestSupport
import SampleEvents
import Testing

@testable import OperatorTools

/// `usp-worker replay` against the embedded cluster: dead letters made by a
/// worker whose body limit was too small go back to the inbound topic, and the
/// worker with the limit fixed creates them.
@Suite(.serialized) struct ReplayTests {
    /// One inbound event of the test, and what a worker with `limit` makes of it.
    private struct Event {
        var index: Int
        var body: [UInt8]
        var headers: [KafkaHeader]
        var key: [UInt8] { Array("event-\(index)".utf8) }
        var partition: Int32 { Int32(index) % ToolTestBed.partitions }
        var offset: Int64 { Int64(index) / Int64(ToolTestBed.partitions) }
        /// What a worker with the small limit does: `nil` when it creates the
        /// entity, else the error code of its dead letter.
        var errorCode: String?
        /// Whether a worker with the default limit creates it.
        var isValid = false
    }

    private static func header(_ name: String, _ value: String) -> KafkaHeader {
        KafkaHeader(name: name, value: Array(value.utf8))
    }

    /// Valid and invalid events; every one carries a token (which the worker
    /// drops), a client-request-id and a header of the sender's own; every
    /// third one an idempotency-key.
    private static func events(count: Int) -> (events: [Event], limit: Int) {
        var events = (0..<count).map { index in
            var headers = [
                header("authorization", "Bearer secret-\(index)"), header("client-request-id", "c-\(index)"),
                header("x-sender", "s-\(index)"),
            ]
            if index % 3 == 0 { headers.append(header("idempotency-key", "k-\(index)")) }
            let body = index % 4 == 0 ? SampleEvents.invalid(index / 4) : SampleEvents.valid(index)
            return Event(index: index, body: body, headers: headers)
        }
        // The body limit of the first worker: the median valid body, so about
        // half of the valid events are too large for it.
        let sizes = events.filter { $0.index % 4 != 0 }.map(\.body.count).sorted()
        let limit = sizes[sizes.count / 2]
        let pipeline = CreatePipeline(maximumBodySize: limit)
        let context = CreateContext(
            idempotencyBasis: .named("classify"), eventTime: GraphTimestamp(unixMilliseconds: 0), requestID: "r",
            responseTime: GraphTimestamp(unixMilliseconds: 0))
        for index in events.indices {
            if case .rejected(let error) = pipeline.create(events[index].body, context: context) {
                events[index].errorCode = error.code
            }
            if case .created = CreatePipeline().create(events[index].body, context: context) {
                events[index].isValid = true
            }
        }
        return (events, limit)
    }

    /// Produces the events, event `i` to partition `i % partitions`.
    private static func load(_ events: [Event], into bed: ToolTestBed) throws {
        let producer = try KafkaProducer(configuration: bed.kafka) { _ in }
        defer { producer.close(timeout: .seconds(10)) }
        for event in events {
            try producer.produce(
                topic: bed.topics.input, partition: event.partition, key: event.key, value: event.body,
                headers: event.headers, opaque: UInt64(event.index))
        }
        try producer.flush(timeout: .seconds(30))
    }

    /// The idempotency key the replayed record of `event` must carry.
    private static func replayKey(_ event: Event, inputTopic: String) -> String {
        event.headers.first { $0.name == "idempotency-key" }.flatMap { $0.value }.map {
            String(decoding: $0, as: UTF8.self)
        }
            ?? "dead-letter:\(inputTopic)/\(event.partition)@\(event.offset)"
    }

    /// The id the fixed worker must give `event`'s replayed record.
    private static func expectedID(_ event: Event, inputTopic: String) -> String? {
        let context = CreateContext(
            idempotencyBasis: .idempotencyKey(replayKey(event, inputTopic: inputTopic)),
            eventTime: GraphTimestamp(unixMilliseconds: 0), requestID: "r",
            responseTime: GraphTimestamp(unixMilliseconds: 0))
        guard case .created(let entity) = CreatePipeline().create(event.body, context: context) else { return nil }
        return entity.id
    }

    @Test func deadLettersComeBackAsTheyWereAndTheFixedWorkerCreatesThem() async throws {
        let bed = try ToolTestBed()
        let (events, limit) = Self.events(count: 48)
        let tooLarge = events.filter { $0.errorCode == "RequestEntityTooLarge" }
        let badRequests = events.filter { $0.errorCode == "BadRequest" }
        let created = events.filter { $0.errorCode == nil }
        #expect(tooLarge.count >= 10 && badRequests.count >= 5 && created.count >= 10, "a mix of outcomes")
        try Self.load(events, into: bed)

        // 1. A worker whose body limit is too small dead-letters the large events.
        let first = try await bed.runWorker(group: "worker", maximumBodySize: limit)
        #expect(first.created == created.count)
        #expect(first.deadLettered == tooLarge.count + badRequests.count)

        // 2. A dry run counts what it would send, and sends and commits nothing.
        var dryRun = ReplayConfiguration(
            deadLetterTopic: bed.topics.deadLetter, inputTopic: bed.topics.input, kafka: bed.kafka,
            filter: ReplayFilter(sourcePartitions: [0]), dryRun: true)
        let counted = try DeadLetterReplay.run(dryRun)
        #expect(counted.replayed == (tooLarge + badRequests).filter { $0.partition == 0 }.count)
        #expect(counted.skipped == tooLarge.count + badRequests.count - counted.replayed)
        #expect(try bed.recordCount(bed.topics.input) == events.count)
        dryRun.dryRun = false
        #expect(
            try DeadLetterReplay.run(dryRun).read == tooLarge.count + badRequests.count, "the dry run committed nothing"
        )

        // 3. Replay the too-large ones only (no source filter).
        let onlyTooLarge = ReplayConfiguration(
            deadLetterTopic: bed.topics.deadLetter, inputTopic: bed.topics.input, kafka: bed.kafka,
            filter: ReplayFilter(errorCodes: ["RequestEntityTooLarge"]))
        let replayed = try DeadLetterReplay.run(onlyTooLarge)
        #expect(replayed.read == tooLarge.count + badRequests.count)
        #expect(replayed.replayed == tooLarge.count)
        #expect(replayed.skipped == badRequests.count)
        #expect(replayed.replayedByCode == ["RequestEntityTooLarge": tooLarge.count])
        #expect(replayed.group == "usp-worker-replay.error-code=RequestEntityTooLarge")

        // The replayed records are the originals: key, value, headers (less the
        // token the worker dropped), no error or source header, and a key where
        // the original had none.
        let inbound = try bed.readAll(bed.topics.input)
        let partitionZeroReplays = (tooLarge + badRequests).filter { $0.partition == 0 }.count
        #expect(inbound.count == events.count + partitionZeroReplays + tooLarge.count)
        let replays = inbound.filter { $0.header("authorization") == nil }
        var replayedIndexes: [Int] = []
        for record in replays {
            guard let index = record.header("client-request-id").flatMap({ Int($0.dropFirst(2)) }) else {
                Issue.record("a replayed record lost its client-request-id")
                continue
            }
            replayedIndexes.append(index)
            let original = events[index]
            #expect(record.key == original.key)
            #expect(record.value == original.body)
            var headers = original.headers.filter { $0.name != "authorization" }
            if original.index % 3 != 0 {
                headers.append(Self.header("idempotency-key", Self.replayKey(original, inputTopic: bed.topics.input)))
            }
            #expect(record.headers == headers, "replayed headers of event \(index)")
            #expect(!record.headers.contains { $0.name.hasPrefix("error") || $0.name.hasPrefix("source-") })
        }
        // Partition 0's letters (from step 2) and every too-large one.
        let expectedReplays = (tooLarge + badRequests).filter { $0.partition == 0 }.map(\.index) + tooLarge.map(\.index)
        #expect(replayedIndexes.sorted() == expectedReplays.sorted())

        // 4. The same replay again sends nothing: its group committed the end.
        let again = try DeadLetterReplay.run(onlyTooLarge)
        #expect(again.read == 0 && again.replayed == 0)

        // 5. The worker with the limit fixed creates every valid replayed event;
        // the invalid ones (bad requests, and too large ones that are also
        // invalid) are dead letters again.
        let replayedEvents = replayedIndexes.map { events[$0] }
        let fixed = try await bed.runWorker(group: "worker")
        #expect(fixed.created == replayedEvents.filter(\.isValid).count)
        #expect(fixed.deadLettered == replayedEvents.filter { !$0.isValid }.count)
        var copies: [String: Int] = [:]
        for entity in try bed.readAll(bed.topics.output) {
            copies[String(decoding: entity.key ?? [], as: UTF8.self), default: 0] += 1
        }
        let createdByReplay = tooLarge.filter(\.isValid)
        #expect(createdByReplay.count >= 5, "the fix creates some of the replayed events")
        for event in createdByReplay {
            // Replayed by the source-partition run and by the error-code run: one id, twice.
            let times = event.partition == 0 ? 2 : 1
            let id = Self.expectedID(event, inputTopic: bed.topics.input)
            #expect(id.flatMap { copies[$0] } == times, "event \(event.index) created \(times) time(s) under one id")
        }
        #expect(copies.count == created.count + createdByReplay.count, "no entity under any other id")
    }

    @Test func aBatchTheBrokersRefuseIsNotCommittedSoTheNextReplaySendsIt() throws {
        let bed = try ToolTestBed()
        let producer = try KafkaProducer(configuration: bed.kafka) { _ in }
        for offset in 0..<12 {
            let headers = [
                Self.header("x", "\(offset)"), Self.header("error-status", "400"),
                Self.header("error-code", "BadRequest"),
                Self.header("error", "{}"), Self.header("source-topic", bed.topics.input),
                Self.header("source-partition", "1"), Self.header("source-offset", "\(offset)"),
            ]
            try producer.produce(
                topic: bed.topics.deadLetter, partition: Int32(offset % 3), key: nil, value: SampleEvents.valid(offset),
                headers: headers, opaque: 0)
        }
        try producer.flush(timeout: .seconds(30))
        producer.close(timeout: .seconds(5))

        let configuration = ReplayConfiguration(
            deadLetterTopic: bed.topics.deadLetter, inputTopic: bed.topics.input, kafka: bed.kafka)
        bed.cluster.pushRequestErrors(.produce, Array(repeating: .topicAuthorizationFailed, count: 1_000))
        #expect {
            try DeadLetterReplay.run(configuration)
        } throws: { error in
            guard case .deadLetterNotReplayed(let letter, _, let cause) = error as? OperatorToolError else {
                return false
            }
            return letter.topic == bed.topics.deadLetter && cause.code == .topicAuthorizationFailed
        }
        bed.cluster.clearRequestErrors(.produce)
        let retried = try DeadLetterReplay.run(configuration)
        #expect(retried.read == 12 && retried.replayed == 12, "nothing of the refused batch was committed")
        #expect(try bed.recordCount(bed.topics.input) == 12)
    }
}
