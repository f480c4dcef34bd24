import Kafka

/// Hands the acknowledged prefixes to librdkafka's committer, and marks in the
/// tracker only the offsets librdkafka actually stored.
///
/// An offset whose store failed (the whole call, or its partition alone) stays
/// unmarked, so the next round offers it again; one marked without being stored
/// would not be stored again until its partition moved on, and a partition that
/// has gone quiet would then never commit its last records.
struct OffsetStoring {
    /// What one round did.
    struct Outcome {
        /// The committable offsets offered (all of them, stored or not).
        var offsets: [TopicPartitionOffset] = []
        /// What librdkafka did with each, when the call went through.
        var result: StoredOffsets?
        /// Why the call failed as a whole.
        var error: KafkaError?

        /// Offsets offered again next round because they were not stored, with why.
        var problem: String? {
            if let error { return "storing \(offsets.count) offsets failed: \(error)" }
            guard let refused = result?.refused, !refused.isEmpty else { return nil }
            return "storing offsets failed for " + refused.map { "\($0.offset) (\($0.error))" }.joined(separator: ", ")
        }
    }

    let tracker: DeliveryTracker
    let topic: String

    /// Offers the committable offsets of these partitions (all when nil) to `store`;
    /// with `includingStored`, those already stored too.
    func store(
        _ partitions: [Int32]? = nil, includingStored: Bool = false,
        using store: ([TopicPartitionOffset]) throws(KafkaError) -> StoredOffsets
    ) -> Outcome {
        let offsets = tracker.committableOffsets(partitions, includingStored: includingStored).map {
            TopicPartitionOffset(topic: topic, partition: $0.partition, offset: $0.offset)
        }
        guard !offsets.isEmpty else { return Outcome() }
        do {
            let result = try store(offsets)
            tracker.markStored(result.stored.filter { $0.topic == topic }.map { ($0.partition, $0.offset) })
            return Outcome(offsets: offsets, result: result)
        } catch {
            return Outcome(offsets: offsets, error: error)
        }
    }
}
