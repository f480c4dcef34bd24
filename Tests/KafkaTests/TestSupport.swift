import Kafka
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Test consumers: short session so that rebalances settle within seconds.
func consumerConfiguration(_ cluster: EmbeddedKafkaCluster, group: String, extra: [String: String] = [:])
    -> KafkaConfiguration
{
    var configuration = KafkaConfiguration([
        "session.timeout.ms": "6000",
        "heartbeat.interval.ms": "500",
        "auto.offset.reset": "earliest",
    ])
    configuration.bootstrapServers = cluster.bootstrapServers
    configuration.groupID = group
    for (key, value) in extra { configuration[key] = value }
    return configuration
}

func producerConfiguration(_ cluster: EmbeddedKafkaCluster, extra: [String: String] = [:]) -> KafkaConfiguration {
    var configuration = KafkaConfiguration()
    configuration.bootstrapServers = cluster.bootstrapServers
    for (key, value) in extra { configuration[key] = value }
    return configuration
}

/// Collects delivery reports from the delivery thread.
final class DeliveryCollector: Sendable {
    private let reports = Mutex<[DeliveryReport]>([])

    var onDelivery: @Sendable (DeliveryReport) -> Void {
        { report in self.reports.withLock { $0.append(report) } }
    }

    var all: [DeliveryReport] { reports.withLock { $0 } }
    var count: Int { reports.withLock { $0.count } }
}

/// Polls until `body` says stop or `timeout` passes; bounded in time.
func pollUntil(
    _ consumer: KafkaConsumer, timeout: Duration, maxMessages: Int = 500,
    _ body: (borrowing KafkaMessageView) -> Void, done: () -> Bool
) throws {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while !done() && clock.now < deadline {
        _ = try consumer.poll(maxMessages: maxMessages, timeout: .milliseconds(100), body)
    }
}

/// Consumes copies of messages until `count` have arrived or `timeout` passes.
func consume(_ consumer: KafkaConsumer, count: Int, timeout: Duration) throws -> [KafkaMessage] {
    var messages: [KafkaMessage] = []
    try pollUntil(consumer, timeout: timeout, { messages.append(KafkaMessage($0)) }, done: { messages.count >= count })
    return messages
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

/// A topic name unique within this process run.
func uniqueName(_ prefix: String) -> String {
    let counter = topicCounter.wrappingAdd(1, ordering: .relaxed).newValue
    return "\(prefix)-\(getpid())-\(counter)"
}

private let topicCounter = Atomic<Int>(0)
