import Kafka
import Synchronization
import Testing

/// The one classification of errors, transient or permanent, and the retries built on it.
@Suite("Error classification")
struct KafkaErrorClassificationTests {
    @Test(arguments: [
        KafkaErrorCode.transport, .allBrokersDown, .timedOut, .requestTimedOut, .coordinatorLoadInProgress,
        .coordinatorNotAvailable, .notCoordinator, .rebalanceInProgress, .notLeaderForPartition,
        .leaderNotAvailable, .waitingForCoordinator, .unknownTopicOrPartition, .unknownTopic,
    ])
    func whatClearsByItselfIsTransient(_ code: KafkaErrorCode) {
        #expect(KafkaError(code: code).isTransient, "\(code)")
    }

    @Test(arguments: [
        KafkaErrorCode.topicAuthorizationFailed, .groupAuthorizationFailed, .clusterAuthorizationFailed,
        .saslAuthenticationFailed, .invalidArg, .msgSizeTooLarge, .invalidRecord, .fatal, .state,
    ])
    func authorizationConfigurationAndFatalErrorsArePermanent(_ code: KafkaErrorCode) {
        #expect(!KafkaError(code: code).isTransient, "\(code)")
    }

    @Test func aFatalClientIsPermanentWhateverItsCode() {
        #expect(!KafkaError(code: .outOfOrderSequenceNumber, isFatal: true).isTransient)
        #expect(!KafkaError(code: .transport, isFatal: true).isTransient)
    }

    @Test func transientFailuresAreRetriedUntilTheQuerySucceeds() throws {
        let retry = KafkaRetry(initialDelay: .milliseconds(1), maximumDelay: .milliseconds(4))
        var calls = 0
        var retries: [Int] = []
        let query = { () throws(KafkaError) -> String in
            calls += 1
            if calls < 4 { throw KafkaError(code: calls % 2 == 0 ? .allBrokersDown : .timedOut) }
            return "answer"
        }
        let result = try retry.run(onRetry: { retries.append($0.number) }, query)
        #expect(result == "answer")
        #expect(calls == 4)
        #expect(retries == [1, 2, 3])
    }

    @Test func aPermanentFailureIsThrownAtOnce() {
        let retry = KafkaRetry(initialDelay: .milliseconds(1))
        var calls = 0
        #expect(throws: KafkaError(code: .topicAuthorizationFailed)) {
            try retry.run { () throws(KafkaError) in
                calls += 1
                throw KafkaError(code: .topicAuthorizationFailed)
            }
        }
        #expect(calls == 1)
    }

    @Test func aTopicThatStaysUnknownPastItsBoundIsPermanent() {
        let retry = KafkaRetry(
            initialDelay: .milliseconds(5), maximumDelay: .milliseconds(5), unknownTopicBound: .milliseconds(100))
        var calls = 0
        let error = #expect(throws: KafkaError.self) {
            try retry.run { () throws(KafkaError) in
                calls += 1
                throw KafkaError(code: .unknownTopicOrPartition)
            }
        }
        #expect(error?.code == .unknownTopicOrPartition)
        #expect(calls > 1, "retried while the topic might still appear")
        #expect(calls < 100, "then given up")
    }

    @Test func aCancelledRetryEndsWithTheLastError() {
        let retry = KafkaRetry(initialDelay: .milliseconds(1), maximumDelay: .milliseconds(2))
        var calls = 0
        let error = #expect(throws: KafkaError.self) {
            let query = { () throws(KafkaError) in
                calls += 1
                throw KafkaError(code: .transport)
            }
            try retry.run(isCancelled: { calls >= 3 }, query)
        }
        #expect(error?.code == .transport)
        #expect(calls == 3)
    }
}
