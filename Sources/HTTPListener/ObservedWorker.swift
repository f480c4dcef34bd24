import Logging
import Worker

/// A worker together with what its HTTP listener reports on: its metrics
/// registry and its monitor. What `usp-worker run` runs, and what tests build.
public struct ObservedWorker: Sendable {
    public let worker: Worker
    public let metrics: PrometheusMetrics
    public let monitor: WorkerMonitor

    /// How often librdkafka reports statistics unless `statistics.interval.ms`
    /// is configured: the lag, the retries and both checks read them.
    public static let defaultStatisticsInterval: Duration = .seconds(1)

    /// The default bound of the stuck-partition check: librdkafka's default
    /// `message.timeout.ms`, so a partition held up only by publish retries is
    /// reported about when librdkafka would give up on them.
    public static let defaultStuckPartitionTimeout: Duration = .seconds(300)

    public init(
        configuration: WorkerConfiguration, logger: Logger,
        stuckPartitionTimeout: Duration = Self.defaultStuckPartitionTimeout
    ) {
        var configuration = configuration
        // Only when the property is absent: a value set, even an invalid one, is the user's.
        if configuration.kafka["statistics.interval.ms"] == nil {
            configuration.kafka.statisticsInterval = Self.defaultStatisticsInterval
        }
        metrics = PrometheusMetrics()
        worker = Worker(configuration: configuration, logger: logger, metrics: WorkerMetrics(factory: metrics.factory))
        monitor = WorkerMonitor(
            worker: worker, stuckPartitionTimeout: stuckPartitionTimeout, metricsFactory: metrics.factory,
            logger: logger)
    }

    /// `/metrics`, `/livez` and `/readyz` for this worker.
    public var routes: HealthAndMetricsRoutes { HealthAndMetricsRoutes(monitor: monitor, metrics: metrics) }
}
