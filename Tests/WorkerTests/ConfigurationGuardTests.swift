import CreatePipeline
import Kafka
import Logging
import Testing

@testable import Worker

/// Properties that would weaken the delivery promises are refused by name;
/// strengthening them is allowed.
@Suite struct DeliveryGuaranteeTests {
    @Test(arguments: [
        ("acks", "1"), ("acks", "0"), ("request.required.acks", "1"), ("enable.idempotence", "false"),
        ("enable.idempotence", "0"), ("enable.auto.offset.store", "true"),
        ("max.in.flight.requests.per.connection", "6"), ("max.in.flight", "100"),
    ])
    func aWeakeningPropertyIsRefusedByName(key: String, value: String) {
        let configuration = KafkaConfiguration([key: value])
        #expect {
            try DeliveryGuarantees.check(configuration)
        } throws: { error in
            let error = error as? WorkerConfigurationError
            return error?.code == "WEAKENING_PROPERTY" && error?.message.hasPrefix("\(key)=\(value) is refused") == true
        }
    }

    @Test(arguments: [
        [String: String](), ["acks": "all"], ["acks": "-1"], ["acks": " ALL "], ["enable.idempotence": "true"],
        ["enable.auto.offset.store": "false"], ["max.in.flight.requests.per.connection": "1"],
        ["max.in.flight": "5"],
    ])
    func strengtheningOrRepeatingTheDefaultsIsAllowed(properties: [String: String]) throws {
        try DeliveryGuarantees.check(KafkaConfiguration(properties))
    }
}

/// The producer's message.max.bytes follows the body limit; librdkafka's prefetch and
/// producer queue follow the byte budget; the user's own values win.
@Suite struct SizingTests {
    @Test func theProducerTakesAnEntityOfAnyBodyUpToTheLimit() {
        let limits = MessageSizeLimits(maximumBodySize: 1_048_576)
        #expect(limits.producerMessageMaxBytes == 1_081_344)
        #expect(limits.requiredTopicMaxMessageBytes == 1_081_405)
        // The headroom covers what the pipeline adds to a body, with room for headers.
        #expect(MessageSizeLimits.entityHeadroom > CreatePipeline.maximumEntitySize(forBodySize: 0) + 4_096)
        #expect(limits.deadLetterLimit(topicMaxMessageBytes: nil) == 1_081_344)
        #expect(limits.deadLetterLimit(topicMaxMessageBytes: 1_048_588) == 1_048_527)
        #expect(
            MessageSizeLimits(maximumBodySize: 2_000, configuredMessageMaxBytes: 5_000).producerMessageMaxBytes == 5_000
        )
    }

    @Test func theDefaultBudgetSizesLibrdkafkasQueues() {
        var configuration = WorkerConfiguration(kafka: KafkaConfiguration(["bootstrap.servers": "b:9092"]))
        #expect(configuration.maxInFlightBytes == 64 * 1024 * 1024)
        let consumer = configuration.consumerConfiguration
        #expect(consumer["queued.max.messages.kbytes"] == "65536")
        #expect(consumer["fetch.max.bytes"] == String(16 * 1024 * 1024))
        #expect(consumer["max.partition.fetch.bytes"] == "1081344")
        let producer = configuration.producerConfiguration
        #expect(producer["message.max.bytes"] == "1081344")
        #expect(producer["queue.buffering.max.kbytes"].flatMap { Int($0) }.map { $0 >= 2 * 65_536 } == true)
        #expect(producer["queued.max.messages.kbytes"] == nil, "consumer properties stay off the producer")
        #expect(producer["max.in.flight.requests.per.connection"] == "1")

        configuration.maxInFlightBytes = 8 * 1024 * 1024
        #expect(configuration.consumerConfiguration["queued.max.messages.kbytes"] == "8192")
        #expect(configuration.consumerConfiguration["fetch.max.bytes"] == "2097152")
    }

    @Test func theUsersOwnSizesWin() {
        let configuration = WorkerConfiguration(
            kafka: KafkaConfiguration([
                "bootstrap.servers": "b:9092", "queued.max.messages.kbytes": "1000", "fetch.max.bytes": "3000000",
                "fetch.message.max.bytes": "2000000", "queue.buffering.max.kbytes": "7", "message.max.bytes": "2500000",
            ]))
        let consumer = configuration.consumerConfiguration
        #expect(consumer["queued.max.messages.kbytes"] == "1000")
        #expect(consumer["fetch.max.bytes"] == "3000000")
        #expect(consumer["max.partition.fetch.bytes"] == nil)
        let producer = configuration.producerConfiguration
        #expect(producer["queue.buffering.max.kbytes"] == "7")
        for key in ["max.in.flight", "max.in.flight.requests.per.connection"] {
            let own = WorkerConfiguration(kafka: KafkaConfiguration(["bootstrap.servers": "b:9092", key: "3"]))
            #expect(own.producerConfiguration[key] == "3")
            #expect(own.producerConfiguration.maxInFlightRequests(above: 2) != nil, "one setting, the user's")
            #expect(own.producerConfiguration.maxInFlightRequests(above: 3) == nil)
        }
        #expect(producer["message.max.bytes"] == "2500000")
    }

    @Test func aLargeUserMessageMaxBytesRaisesTheFetchSize() {
        let configuration = WorkerConfiguration(
            kafka: KafkaConfiguration(["bootstrap.servers": "b:9092", "message.max.bytes": "30000000"]))
        #expect(configuration.consumerConfiguration["fetch.max.bytes"] == "30000000")
    }

    /// librdkafka accepts the derived properties together (its own consistency checks).
    @Test func librdkafkaAcceptsTheDerivedProperties() throws {
        for budget in [1, 1 << 20, 64 << 20, 1 << 30] {
            var configuration = WorkerConfiguration(kafka: KafkaConfiguration(["bootstrap.servers": "127.0.0.1:1"]))
            configuration.maxInFlightBytes = budget
            let consumer = try KafkaConsumer(configuration: configuration.consumerConfiguration)
            try consumer.close()
            let producer = try KafkaProducer(configuration: configuration.producerConfiguration, onDelivery: { _ in })
            producer.close(timeout: .milliseconds(100))
        }
    }
}

/// Offsets are marked stored only once librdkafka stored them, so a failed store is
/// retried on the next round.
@Suite struct OffsetStoringTests {
    private func tracker(completing offsets: [Int32: Int64]) -> DeliveryTracker {
        let tracker = DeliveryTracker()
        tracker.assign(Array(offsets.keys))
        for (partition, count) in offsets {
            for offset in 0..<count {
                let record = InboundRecord(
                    partition: partition, offset: offset, timestampMilliseconds: nil, key: nil, value: [1], headers: [])
                tracker.complete(tracker.dispatch(record)!)
            }
        }
        return tracker
    }

    private func offset(_ partition: Int32, _ offset: Int64) -> TopicPartitionOffset {
        TopicPartitionOffset(topic: "in", partition: partition, offset: offset)
    }

    @Test func aStoreThatFailedIsOfferedAgain() {
        let storing = OffsetStoring(tracker: tracker(completing: [0: 3]), topic: "in")
        let failed = storing.store { (_) throws(KafkaError) -> StoredOffsets in
            throw KafkaError(code: .state, message: "refused")
        }
        #expect(failed.problem?.contains("refused") == true)
        var offered: [TopicPartitionOffset] = []
        let retried = storing.store { (offsets) throws(KafkaError) -> StoredOffsets in
            offered = offsets
            return StoredOffsets(stored: offsets)
        }
        #expect(offered == [offset(0, 3)], "the failed offset is offered again")
        #expect(retried.problem == nil)
        let after = storing.store { (offsets) throws(KafkaError) -> StoredOffsets in StoredOffsets(stored: offsets) }
        #expect(after.offsets.isEmpty, "a stored offset is not offered again until its partition moves")
    }

    @Test func aPartitionRefusedInAPartialStoreIsNotSwallowed() {
        let storing = OffsetStoring(tracker: tracker(completing: [0: 2, 1: 5]), topic: "in")
        let partial = storing.store { (offsets) throws(KafkaError) -> StoredOffsets in
            StoredOffsets(
                stored: offsets.filter { $0.partition == 0 },
                refused: offsets.filter { $0.partition == 1 }.map {
                    .init(offset: $0, error: KafkaError(code: .invalidArg, message: "bad offset"))
                })
        }
        #expect(
            partial.problem?.contains("in[1]@5") == true, "the refused partition is named: \(partial.problem ?? "-")")
        var offered: [TopicPartitionOffset] = []
        _ = storing.store { (offsets) throws(KafkaError) -> StoredOffsets in
            offered = offsets
            return StoredOffsets(stored: offsets)
        }
        #expect(offered == [offset(1, 5)], "only the refused partition is offered again")
    }
}

/// The start-up check of the output topics' max.message.bytes.
@Suite struct TopicSizeCheckTests {
    private let check = TopicSizeCheck(
        topics: .init(input: "in", output: "out", deadLetter: "dlq"),
        limits: MessageSizeLimits(maximumBodySize: 1_048_576), maximumBodySize: 1_048_576)

    @Test func aTopicTooSmallIsNamedWithTheValueToRaiseItTo() {
        let findings = check.assess(
            .success([
                "out": .success(["max.message.bytes": "1048588"]), "dlq": .success(["max.message.bytes": "2000000"]),
            ]))
        #expect(
            findings == [
                .tooSmall(topic: "out", role: .output, maxMessageBytes: 1_048_588, required: 1_081_405),
                .sufficient(topic: "dlq", maxMessageBytes: 2_000_000),
            ])
        let message = TopicSizeCheck.message(for: findings[0], maximumBodySize: 1_048_576)
        #expect(
            message.contains("out") && message.contains("max.message.bytes=1048588") && message.contains("to 1081405"))
    }

    @Test func aBrokerThatDoesNotAnswerIsWarnedAbout() {
        let findings = check.assess(.failure(KafkaError(code: .timedOut, message: "no controller")))
        #expect(
            findings == [.unknown(topics: ["out", "dlq"], required: 1_081_405, reason: "_TIMED_OUT: no controller")])
        let partly = check.assess(
            .success([
                "out": .success(["max.message.bytes": "2000000"]),
                "dlq": .failure(KafkaError(code: .topicAuthorizationFailed, message: "denied")),
            ]))
        #expect(partly.count == 2)
        #expect(partly.last.map { if case .unknown(["dlq"], 1_081_405, _) = $0 { true } else { false } } == true)
    }

    /// The embedded cluster (librdkafka 2.0.2's mock) names no controller, so
    /// DescribeConfigs never gets an answer: the worker warns, and keeps the producer's limit.
    @Test func theEmbeddedClusterDoesNotAnswerAndTheWorkerWarns() throws {
        let cluster = try EmbeddedKafkaCluster()
        defer { cluster.close() }
        try cluster.createTopic("out", partitions: 1)
        try cluster.createTopic("dlq", partitions: 1)
        var configuration = KafkaConfiguration()
        configuration.bootstrapServers = cluster.bootstrapServers
        let producer = try KafkaProducer(configuration: configuration, onDelivery: { _ in })
        defer { producer.close(timeout: .seconds(1)) }
        let log = CapturedLog()
        let limit = DeadLetterLimit(1_081_344)
        check.run(producer: producer, deadLetterLimit: limit, logger: log.logger(label: "check"), timeout: .seconds(1))
        let warning = log.all.first { $0.hasPrefix("warning could not learn max.message.bytes of out and dlq") }
        #expect(warning?.contains("at least 1081405") == true, "\(log.all)")
        #expect(limit.bytes == 1_081_344)
    }
}
