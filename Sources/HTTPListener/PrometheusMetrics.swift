import CoreMetrics
import Prometheus
import Worker

/// Where a worker's measurements are kept for `/metrics`: one Prometheus
/// registry, and the swift-metrics factory that fills it.
///
/// One per listener, passed explicitly to the worker and the monitor (never
/// bootstrapped as the process-wide `MetricsSystem`), so tests and a process
/// that hosts other components each keep their own.
public struct PrometheusMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// For the worker (``WorkerMetrics``), the monitor, and any routes mounted
    /// on the listener that want their own metrics.
    public let factory: PrometheusMetricsFactory

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // The pipeline takes microseconds a record; waiting for room in the
        // producer's queue can take up to the shutdown bound.
        factory.durationHistogramBuckets[WorkerMetrics.Name.processing] = [
            .microseconds(10), .microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250),
            .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100),
            .seconds(1), .seconds(10),
        ]
        // From the producer's queue to the broker's acknowledgement: a few
        // milliseconds (linger.ms=5) while the cluster is well, up to
        // message.timeout.ms (300 s by default) while librdkafka retries.
        factory.durationHistogramBuckets[WorkerMetrics.Name.publishing] = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .seconds(5), .seconds(30), .seconds(120), .seconds(300),
        ]
        self.factory = factory
    }

    /// The Prometheus text exposition format (version 0.0.4).
    public func render() -> [UInt8] {
        registry.emitToBuffer()
    }

    /// The content type of ``render()``.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
