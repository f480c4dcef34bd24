import CoreMetrics

/// The metrics that come from librdkafka's statistics rather than from the
/// worker's own counting: consumer lag per partition, publish retries,
/// connected brokers, assigned and stuck partitions.
///
/// A value in ``WorkerMonitor``'s locked state: its gauges are made and
/// updated under that lock.
struct DerivedMetrics: Sendable {
    enum Name {
        static let consumerLag = "usp_consumer_lag"
        static let publishRetries = "usp_publish_retries_total"
        static let connectedBrokers = "usp_kafka_connected_brokers"
        static let assignedPartitions = "usp_assigned_partitions"
        static let stuckPartitions = "usp_stuck_partitions"
    }

    private let factory: any MetricsFactory
    private let topic: String
    private let publishRetries: Counter
    private let consumerBrokers: Gauge
    private let producerBrokers: Gauge
    private let assignedPartitions: Gauge
    let stuckPartitions: Gauge
    /// The lag gauge of each assigned partition.
    private var lags: [Int32: Gauge] = [:]
    /// The retries already added to the counter (the statistics' figure is cumulative).
    private var retriesCounted = 0

    init(factory: any MetricsFactory, topic: String) {
        self.factory = factory
        self.topic = topic
        publishRetries = Counter(label: Name.publishRetries, factory: factory)
        consumerBrokers = Gauge(label: Name.connectedBrokers, dimensions: [("client", "consumer")], factory: factory)
        producerBrokers = Gauge(label: Name.connectedBrokers, dimensions: [("client", "producer")], factory: factory)
        assignedPartitions = Gauge(label: Name.assignedPartitions, factory: factory)
        stuckPartitions = Gauge(label: Name.stuckPartitions, factory: factory)
    }

    /// Lag gauges for the assigned partitions whose lag is known; a revoked
    /// partition's gauge is removed, so it does not report a stale lag.
    mutating func observeConsumer(_ document: KafkaStatisticsDocument, partitions: [PartitionProgress.Observation]) {
        consumerBrokers.record(document.connectedBrokers)
        if let group = document.cgrp { assignedPartitions.record(group.assignmentSize) }
        var next: [Int32: Gauge] = [:]
        for observation in partitions {
            guard let lag = observation.lag else { continue }
            let gauge =
                lags.removeValue(forKey: observation.partition)
                ?? Gauge(
                    label: Name.consumerLag,
                    dimensions: [("topic", topic), ("partition", String(observation.partition))],
                    factory: factory)
            gauge.record(lag)
            next[observation.partition] = gauge
        }
        for gauge in lags.values { gauge.destroy() }
        lags = next
    }

    /// Adds the retries seen since the last document. The figure can dip while
    /// retried messages wait in the queue again, so only its new highs count.
    mutating func observeProducer(_ document: KafkaStatisticsDocument) {
        producerBrokers.record(document.connectedBrokers)
        let retries = document.messagesSentAgain
        if retries > retriesCounted {
            publishRetries.increment(by: retries - retriesCounted)
            retriesCounted = retries
        }
    }
}
