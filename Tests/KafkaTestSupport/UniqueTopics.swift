import Synchronization
import Worker

private let topicCounter = Atomic<Int>(0)

/// The worker's three topics under names no other test of this run uses (a counter and a
/// random number), `prefix` first: `<prefix>create-…`, `<prefix>created-…`, `<prefix>dlq-…`.
public func uniqueTopics(prefix: String = "") -> WorkerConfiguration.Topics {
    let suffix = "\(topicCounter.add(1, ordering: .relaxed).newValue)-\(UInt32.random(in: 0...UInt32.max))"
    return WorkerConfiguration.Topics(
        input: "\(prefix)create-\(suffix)", output: "\(prefix)created-\(suffix)", deadLetter: "\(prefix)dlq-\(suffix)")
}
