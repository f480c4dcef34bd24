import Synchronization

/// The largest dead letter to publish, in librdkafka's measure
/// (``DeadLetterFitting/recordSize(key:value:headers:)``): the producer's
/// `message.max.bytes`, lowered at start when the broker says the dead-letter topic
/// takes less. Set from the polling thread, read by the lanes and the delivery thread.
final class DeadLetterLimit: Sendable {
    private let storage: Atomic<Int>

    init(_ bytes: Int) { storage = Atomic(bytes) }

    var bytes: Int {
        get { storage.load(ordering: .relaxed) }
        set { storage.store(newValue, ordering: .relaxed) }
    }
}
