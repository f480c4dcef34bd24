import AuthenticationTestSupport
import Foundation
import Kafka
import KafkaTestSupport
import SampleEvents
import SampleTokens
import Testing
import Worker

@testable import OperatorTools

/// Dead letters of refused callers (401 `InvalidAuthenticationToken`, 403 `Forbidden`) are
/// never replayed under the operator's token, and are replayed at all only when named.
@Suite(.serialized) struct RefusedCallerReplayTests {
    private static let operatorToken = KafkaHeader(name: "authorization", value: Array("Bearer operator-token".utf8))

    @Test func theDefaultFilterLeavesRefusedCallersOutAndANamedCodeLetsThemIn() {
        let any = ReplayFilter()
        #expect(!any.accepts(errorCode: "InvalidAuthenticationToken", sourcePartition: 0))
        #expect(!any.accepts(errorCode: "Forbidden", sourcePartition: 0))
        #expect(any.accepts(errorCode: "BadRequest", sourcePartition: 0))
        #expect(any.accepts(errorCode: nil, sourcePartition: nil))
        let named = ReplayFilter(errorCodes: ["Forbidden"])
        #expect(named.accepts(errorCode: "Forbidden", sourcePartition: 0))
        #expect(!named.accepts(errorCode: "InvalidAuthenticationToken", sourcePartition: 0))
    }

    @Test func replayingA401LetterWithABearerTokenFileIsRefusedNamingTheCountAndNothingIsSent() throws {
        let bed = try ToolTestBed()
        try bed.writeDeadLetters(codes: [
            "InvalidAuthenticationToken", "BadRequest", "InvalidAuthenticationToken", "Forbidden", "BadRequest",
        ])
        func replay(_ codes: Set<String>) -> ReplayConfiguration {
            ReplayConfiguration(
                deadLetterTopic: bed.topics.deadLetter, inputTopic: bed.topics.input, kafka: bed.kafka,
                filter: ReplayFilter(errorCodes: codes), extraHeaders: [Self.operatorToken])
        }

        #expect(
            throws: OperatorToolError.operatorTokenOnRefusedCallers(
                letters: 2, byCode: ["InvalidAuthenticationToken": 2])
        ) {
            try DeadLetterReplay.run(replay(["InvalidAuthenticationToken"]))
        }
        // Named together with other codes, the whole replay is refused: nothing of it is sent.
        #expect(
            throws: OperatorToolError.operatorTokenOnRefusedCallers(
                letters: 3, byCode: ["InvalidAuthenticationToken": 2, "Forbidden": 1])
        ) {
            try DeadLetterReplay.run(replay(["InvalidAuthenticationToken", "Forbidden", "BadRequest"]))
        }
        #expect(try bed.recordCount(bed.topics.input) == 0, "nothing was sent")
        let message = OperatorToolError.operatorTokenOnRefusedCallers(
            letters: 3, byCode: ["InvalidAuthenticationToken": 2, "Forbidden": 1]
        ).description
        #expect(message.hasPrefix("OPERATOR_TOKEN_ON_REFUSED_CALLERS: refused to replay 3 dead letter(s)"))
        #expect(message.contains("(Forbidden: 1, InvalidAuthenticationToken: 2) with --bearer-token-file"))

        // Without naming them, the token goes only on the others: refused callers stay out.
        let others = try DeadLetterReplay.run(replay([]))
        #expect(others.replayed == 2 && others.skipped == 3 && others.replayedByCode == ["BadRequest": 2])
        let sent = try bed.readAll(bed.topics.input)
        #expect(sent.count == 2)
        #expect(sent.allSatisfy { $0.header("authorization") == "Bearer operator-token" })
        #expect(Set(sent.compactMap { $0.header("client-request-id") }) == ["letter-1", "letter-4"])
    }

    @Test func a401LetterReplayedByNameWithoutATokenFileLandsBackInTheDeadLetterTopicAs401() async throws {
        let verifier = try await TestVerifier.start()
        defer { verifier.folder.remove() }
        let bed = try ToolTestBed()
        let token = try await verifier.tokens.token(TestClaims(tid: "tenant-1"))
        // Two events without a token (401), one with a valid token (created).
        let producer = try KafkaProducer(configuration: bed.kafka) { _ in }
        for (index, authorization) in [nil, "Bearer \(token)", nil].enumerated() {
            let headers =
                [KafkaHeader(name: "client-request-id", value: Array("event-\(index)".utf8))]
                + (authorization.map { [KafkaHeader(name: "authorization", value: Array($0.utf8))] } ?? [])
            try producer.produce(
                topic: bed.topics.input, partition: 0, key: nil, value: SampleEvents.valid(1), headers: headers,
                opaque: 0)
        }
        try producer.flush(timeout: .seconds(30))
        producer.close(timeout: .seconds(5))

        let first = try await bed.runWorker(group: "worker", authentication: .bearerToken(verifier.access))
        #expect(first.created == 1 && first.deadLettered == 2)

        // Not named: not replayed.
        let unnamed = try DeadLetterReplay.run(
            ReplayConfiguration(
                deadLetterTopic: bed.topics.deadLetter, inputTopic: bed.topics.input, kafka: bed.kafka))
        #expect(unnamed.replayed == 0 && unnamed.skipped == 2)

        // Named, without a token file: replayed as they were (no authorization header).
        let named = try DeadLetterReplay.run(
            ReplayConfiguration(
                deadLetterTopic: bed.topics.deadLetter, inputTopic: bed.topics.input, kafka: bed.kafka,
                filter: ReplayFilter(errorCodes: ["InvalidAuthenticationToken"])))
        #expect(named.replayed == 2 && named.replayedByCode == ["InvalidAuthenticationToken": 2])
        // The events were written to partition 0, offsets 0-2; the replays go where the partitioner puts them.
        let isOriginal = { (partition: Int32, offset: Int64) in partition == 0 && offset < 3 }
        let replays = try bed.readAll(bed.topics.input).filter { !isOriginal($0.partition, $0.offset) }
        #expect(replays.count == 2)
        #expect(replays.allSatisfy { $0.header("authorization") == nil })

        // Checked again as they were: no caller's token came with them, so 401 again.
        let second = try await bed.runWorker(group: "worker", authentication: .bearerToken(verifier.access))
        #expect(second.consumed == 2 && second.created == 0 && second.deadLettered == 2)
        let letters = try bed.readAll(bed.topics.deadLetter)
        let again = letters.filter { letter in
            guard let partition = letter.header("source-partition").flatMap({ Int32($0) }),
                let offset = letter.header("source-offset").flatMap({ Int64($0) })
            else { return false }
            return !isOriginal(partition, offset)
        }
        #expect(again.count == 2)
        #expect(
            again.allSatisfy {
                $0.header("error-status") == "401" && $0.header("error-code") == "InvalidAuthenticationToken"
            })
        #expect(Set(again.compactMap { $0.header("client-request-id") }) == ["event-0", "event-2"])
        #expect(try bed.recordCount(bed.topics.output) == 1, "nothing was created by the replay")
    }
}
