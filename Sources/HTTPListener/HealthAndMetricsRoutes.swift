import Foundation
import Hummingbird

/// `GET /metrics`, `GET /livez` and `GET /readyz`, for any router.
public struct HealthAndMetricsRoutes: Sendable {
    public let monitor: WorkerMonitor
    public let metrics: PrometheusMetrics

    public init(monitor: WorkerMonitor, metrics: PrometheusMetrics) {
        self.monitor = monitor
        self.metrics = metrics
    }

    /// Adds the three routes to `router`.
    public func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("metrics") { [monitor, metrics] _, _ -> Response in
            // The lag gauges and the retry counter come from the latest statistics.
            monitor.refresh()
            return Response(
                status: .ok, headers: [.contentType: PrometheusMetrics.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
        router.get("livez") { [monitor] _, _ in Self.response(monitor.liveness()) }
        router.get("readyz") { [monitor] _, _ in Self.response(monitor.readiness()) }
    }

    /// 200 with the report when the check passed, 503 with it when not.
    private static func response(_ report: HealthReport) -> Response {
        Response(
            status: report.passed ? .ok : .serviceUnavailable,
            headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: report.json)))
    }
}
