import Kafka
import Synchronization

/// Counts the delivery reports of one producer and keeps the failure with the
/// lowest opaque (a line number, a sequence number), so that the tool can name
/// the first record that was not delivered.
///
/// Shared between the producer's delivery thread (`record`) and the thread
/// that produces and reads the counts: the counters are atomics, the first
/// failure is behind a `Mutex`.
final class DeliveryLedger: Sendable {
    struct Failure: Sendable {
        var opaque: UInt64
        var error: KafkaError
        var count: Int
    }

    private let acknowledgedCount = Atomic<Int>(0)
    private let failure = Mutex<Failure?>(nil)

    /// Records one delivery report (from the delivery thread).
    func record(_ report: DeliveryReport) {
        if let error = report.error {
            recordFailure(opaque: report.opaque, error: error)
        } else {
            acknowledgedCount.add(1, ordering: .relaxed)
        }
    }

    /// Records a record refused before it was enqueued.
    func recordFailure(opaque: UInt64, error: KafkaError) {
        failure.withLock { failure in
            guard var current = failure else {
                failure = Failure(opaque: opaque, error: error, count: 1)
                return
            }
            current.count += 1
            if opaque < current.opaque {
                current.opaque = opaque
                current.error = error
            }
            failure = current
        }
    }

    /// Records acknowledged by the brokers so far.
    var acknowledged: Int { acknowledgedCount.load(ordering: .relaxed) }

    /// The failure with the lowest opaque so far, with the number of failures.
    var firstFailure: Failure? { failure.withLock { $0 } }

    /// Forgets everything (between the batches of a replay).
    func reset() {
        acknowledgedCount.store(0, ordering: .relaxed)
        failure.withLock { $0 = nil }
    }
}
