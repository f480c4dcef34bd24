import ServiceLifecycle

/// The worker as a swift-service-lifecycle service: a graceful shutdown
/// (SIGTERM, SIGINT) asks it to drain, commit and leave its group.
public struct WorkerService: Service {
    public let worker: Worker
    private let onFinish: @Sendable (WorkerSummary) -> Void

    /// `onFinish` receives the summary when the worker stops without a failure.
    public init(worker: Worker, onFinish: @escaping @Sendable (WorkerSummary) -> Void = { _ in }) {
        self.worker = worker
        self.onFinish = onFinish
    }

    public func run() async throws {
        let summary = try await withGracefulShutdownHandler {
            try await worker.run()
        } onGracefulShutdown: { [worker] in
            worker.requestStop()
        }
        onFinish(summary)
    }
}
