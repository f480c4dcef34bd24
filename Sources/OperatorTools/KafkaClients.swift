import Kafka

import struct Foundation.Data
import class Foundation.FileHandle

/// The clients the tools make from the user's Kafka properties.
enum KafkaClients {
    /// A producer with the Kafka layer's defaults (`acks=all`, idempotence),
    /// its reports counted in `ledger`.
    static func producer(_ kafka: KafkaConfiguration, ledger: DeliveryLedger) throws(OperatorToolError) -> KafkaProducer
    {
        do {
            return try KafkaProducer(configuration: kafka.withoutConsumerOnlyProperties) { report in
                ledger.record(report)
            }
        } catch {
            throw .kafka(error, while: "creating the producer")
        }
    }

    /// A consumer in `group` that never joins it (the tools assign partitions
    /// themselves). `group.instance.id` is dropped: it names a worker pod's
    /// membership, which a tool must not take over.
    static func consumer(_ kafka: KafkaConfiguration, group: String) throws(OperatorToolError) -> KafkaConsumer {
        var configuration = kafka
        configuration.groupID = group
        configuration["group.instance.id"] = nil
        if configuration.startsFromEarliest == nil { configuration.startsFromEarliest = true }
        do {
            return try KafkaConsumer(configuration: configuration)
        } catch {
            throw .kafka(error, while: "creating the consumer")
        }
    }

    /// How the tools ride out a cluster that is briefly away: transient failures
    /// are retried for up to a minute; a topic still unknown after 5 s does not exist.
    static let retry = KafkaRetry(unknownTopicBound: .seconds(5))
    static let patience: Duration = .seconds(60)

    /// Runs a query, retrying transient failures (see `retry`).
    static func retrying<Result>(
        _ body: () throws(KafkaError) -> Result
    ) throws(KafkaError) -> Result {
        try retry.run(
            deadline: .now + patience,
            onRetry: { attempt in
                FileHandle.standardError.write(
                    Data("usp-worker: \(attempt.error); trying again in \(attempt.delay)\n".utf8))
            }, body)
    }

    /// The topic's partition count; refuses a topic that does not exist, so
    /// that producing to it cannot create it with the broker's defaults.
    static func partitionCount(of topic: String, using consumer: KafkaConsumer) throws(OperatorToolError) -> Int32 {
        do {
            return try retrying { () throws(KafkaError) in
                try consumer.partitionCount(topic: topic, timeout: .seconds(10))
            }
        } catch {
            throw error.code.isUnknownTopicOrPartition
                ? .missingTopic(topic, error) : .kafka(error, while: "asking for \(topic)")
        }
    }

    /// Flushes until every enqueued record has had its delivery report, calling
    /// `report` every `interval` while some are still out. librdkafka reports each record within
    /// `message.timeout.ms` (300 s by default), so the wait is bounded by that
    /// plus a margin.
    static func waitForDeliveryReports(
        _ producer: KafkaProducer, kafka: KafkaConfiguration, every interval: Duration, report: () -> Void
    ) {
        let deadline = ContinuousClock.now + kafka.messageTimeout + .seconds(60)
        while producer.outstandingCount > 0, ContinuousClock.now < deadline {
            try? producer.flush(timeout: interval)
            if producer.outstandingCount > 0 { report() }
        }
    }
}
