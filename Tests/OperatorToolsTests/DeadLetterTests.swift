import Kafka
import Testing

@testable import OperatorTools

/// What a replay takes from a dead letter: the inbound record as it was, and
/// the worker's headers that say why it failed.
@Suite struct DeadLetterTests {
    private func header(_ name: String, _ value: String?) -> KafkaHeader {
        KafkaHeader(name: name, value: value.map { Array($0.utf8) })
    }

    private func workerBlock(code: String, partition: Int32, offset: Int64) -> [KafkaHeader] {
        [
            header("error-status", "400"), header("error-code", code), header("error", #"{"error":{}}"#),
            header("source-topic", "events"), header("source-partition", "\(partition)"),
            header("source-offset", "\(offset)"),
        ]
    }

    private func letter(_ headers: [KafkaHeader], offset: Int64 = 9) -> DeadLetter {
        DeadLetter(
            KafkaMessage(topic: "events.dlq", partition: 1, offset: offset, key: [1], value: [2], headers: headers))
    }

    @Test func theWorkersTrailingBlockIsRemovedAndAnInboundHeaderOfTheSameNameKept() {
        let inbound = [header("client-request-id", "c-1"), header("error-code", "the sender's own"), header("x", nil)]
        let dead = letter(inbound + workerBlock(code: "BadRequest", partition: 4, offset: 17))
        #expect(dead.originalHeaders == inbound)
        #expect(dead.errorCode == "BadRequest")
        #expect(dead.sourcePartition == 4)
        #expect(dead.sourceOffset == 17)
        #expect(dead.key == [1] && dead.value == [2])
    }

    @Test func aLetterWithoutTheWorkersBlockLosesEveryHeaderOfThoseNames() {
        let dead = letter([
            header("a", "1"), header("Error-Code", "RequestEntityTooLarge"), header("SOURCE-PARTITION", "2"),
            header("b", "2"),
        ])
        #expect(dead.originalHeaders == [header("a", "1"), header("b", "2")])
        #expect(dead.errorCode == "RequestEntityTooLarge")
        #expect(dead.sourcePartition == 2)
    }

    @Test func aLetterWithoutAKeyTheWorkerWouldUseGetsOneFromItsSource() {
        let block = workerBlock(code: "BadRequest", partition: 4, offset: 17)
        let derived = header("idempotency-key", "dead-letter:events/4@17")
        #expect(letter([header("a", "1")] + block).replayHeaders == [header("a", "1"), derived])
        #expect(
            letter([header("Idempotency-Key", ""), header("a", "1")] + block).replayHeaders
                == [header("Idempotency-Key", "dead-letter:events/4@17"), header("a", "1")])
        #expect(
            letter([header("idempotency-key", nil)] + block).replayHeaders == [
                header("idempotency-key", "dead-letter:events/4@17")
            ])
        let kept = [header("idempotency-key", "k-1"), header("a", "1")]
        #expect(letter(kept + block).replayHeaders == kept)
        // No source headers: the letter's own position names it.
        #expect(letter([], offset: 3).replayHeaders == [header("idempotency-key", "dead-letter:events.dlq/1@3")])
    }

    @Test func theFilterNeedsEveryGivenConditionAndNamesItsGroup() {
        let any = ReplayFilter()
        #expect(any.accepts(errorCode: nil, sourcePartition: nil))
        #expect(any.defaultGroup == "usp-worker-replay")
        let filter = ReplayFilter(errorCodes: ["RequestEntityTooLarge", "BadRequest"], sourcePartitions: [3, 0])
        #expect(filter.accepts(errorCode: "BadRequest", sourcePartition: 3))
        #expect(!filter.accepts(errorCode: "BadRequest", sourcePartition: 1))
        #expect(!filter.accepts(errorCode: "Forbidden", sourcePartition: 0))
        #expect(!filter.accepts(errorCode: nil, sourcePartition: 0))
        #expect(
            filter.defaultGroup == "usp-worker-replay.error-code=BadRequest,RequestEntityTooLarge.source-partition=0,3")
    }
}

/// Letters the worker published without their value, headers or key, and what a
/// replay puts back from the source record.
@Suite struct DeadLetterMissingPartsTests {
    private func header(_ name: String, _ value: String?) -> KafkaHeader {
        KafkaHeader(name: name, value: value.map { Array($0.utf8) })
    }

    private var block: [KafkaHeader] {
        [
            header("error-status", "413"), header("error-code", "RequestEntityTooLarge"), header("error", "{}"),
            header("source-topic", "events"), header("source-partition", "2"), header("source-offset", "40"),
        ]
    }

    private func source(key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader]) -> KafkaMessage {
        KafkaMessage(topic: "events", partition: 2, offset: 40, key: key, value: value, headers: headers)
    }

    @Test func theOmissionHeadersAfterTheBlockSayWhatIsMissing() {
        let letter = DeadLetter(
            KafkaMessage(
                topic: "dlq", partition: 0, offset: 5, key: nil, value: nil,
                headers: block + [
                    header("error-value-omitted", "1572864"), header("error-headers-omitted", "3"),
                    header("error-key-omitted", "200000"),
                ]))
        #expect(letter.originalHeaders.isEmpty)
        #expect(letter.errorCode == "RequestEntityTooLarge")
        #expect(letter.omittedValueLength == 1_572_864)
        #expect(letter.omittedHeaderCount == 3)
        #expect(letter.omittedKeyLength == 200_000)
        #expect(letter.isMissingParts)
        #expect(letter.source == TopicPartitionOffset(topic: "events", partition: 2, offset: 40))
    }

    @Test func theSourceRecordGivesBackWhatWasLeftOutButItsToken() {
        let kept = [header("client-request-id", "c")]
        let letter = DeadLetter(
            KafkaMessage(
                topic: "dlq", partition: 0, offset: 5, key: [9], value: nil,
                headers: kept + block + [header("error-value-omitted", "4")]))
        #expect(letter.originalHeaders == kept)
        let restored = letter.restoring(from: source(key: [9], value: [1, 2, 3, 4], headers: kept))
        #expect(restored?.value == [1, 2, 3, 4])
        #expect(restored?.isMissingParts == false)
        #expect(restored?.originalHeaders == kept)

        let bare = DeadLetter(
            KafkaMessage(
                topic: "dlq", partition: 0, offset: 6, key: nil, value: nil,
                headers: block + [
                    header("error-value-omitted", "2"), header("error-headers-omitted", "2"),
                    header("error-key-omitted", "1"),
                ]))
        let inbound = [header("Authorization", "Bearer t"), header("a", "1"), header("b", nil)]
        let full = bare.restoring(from: source(key: [7], value: [5, 6], headers: inbound))
        #expect(full?.key == [7] && full?.value == [5, 6])
        let expected = [header("a", "1"), header("b", nil)]
        #expect(full?.originalHeaders == expected, "the token stays out, as the worker leaves it")
    }

    @Test func aSourceRecordThatIsNotTheOneLeftOutIsRefused() {
        let letter = DeadLetter(
            KafkaMessage(
                topic: "dlq", partition: 0, offset: 5, key: nil, value: nil,
                headers: block + [header("error-value-omitted", "10")]))
        #expect(letter.restoring(from: source(key: nil, value: [1, 2, 3], headers: [])) == nil)
    }
}
