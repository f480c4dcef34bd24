import Kafka
import Synchronization

/// Tasks waiting for their message's delivery report, keyed by the message's opaque integer.
///
/// The producer reports deliveries on its own thread with the integer passed to `produce`;
/// this hands each report to the task that produced the message. One lock guards the table
/// because two threads use it: request tasks add entries, the delivery thread removes them.
final class DeliveryWaiters: Sendable {
    private struct Table {
        var nextOpaque: UInt64 = 0
        var waiting: [UInt64: CheckedContinuation<PublishFailure?, Never>] = [:]
    }

    private let table = Mutex(Table())

    /// Calls `enqueue` with a fresh opaque and waits for that message's delivery report.
    ///
    /// - Parameter enqueue: produces the message with the opaque; returns the error when it
    ///   could not be enqueued (no report will come for it then).
    /// - Returns: nil when the message was acknowledged; otherwise why it was not, and whether
    ///   it may have been written anyway.
    func deliver(_ enqueue: (UInt64) -> KafkaError?) async -> PublishFailure? {
        await withCheckedContinuation { continuation in
            // Registered before producing: the report may arrive before `enqueue` returns.
            let opaque = table.withLock { table in
                let opaque = table.nextOpaque
                table.nextOpaque &+= 1
                table.waiting[opaque] = continuation
                return opaque
            }
            if let error = enqueue(opaque) {
                take(opaque)?.resume(returning: PublishFailure(error: error, mayHaveBeenWritten: false))
            }
        }
    }

    /// Resumes the task waiting for this report (the producer's `onDelivery`).
    func handle(_ report: DeliveryReport) {
        let failure = report.error.map {
            PublishFailure(error: $0, mayHaveBeenWritten: report.persistence != .notPersisted)
        }
        take(report.opaque)?.resume(returning: failure)
    }

    /// Tasks still waiting.
    var count: Int { table.withLock { $0.waiting.count } }

    private func take(_ opaque: UInt64) -> CheckedContinuation<PublishFailure?, Never>? {
        table.withLock { $0.waiting.removeValue(forKey: opaque) }
    }
}
