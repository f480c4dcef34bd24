import CreatePipeline
import DequeModule
import Foundation
import Synchronization

/// The event time of each recent create made with an `Idempotency-Key`, by entity id, so
/// that a retry yields a byte-identical entity.
///
/// The entity id is already a pure function of the key and the tenant; the timestamps the
/// service sets (`createdDateTime`, `lastModifiedDateTime` when the body sends none) are
/// the request's arrival time, which a retry does not share. Keeping the first create's time
/// for the id makes the retry's entity equal to the first one, byte for byte.
///
/// Bounded: the oldest entries are forgotten first (about 64 bytes each). A lock guards the
/// table because every request task reads and writes it.
final class KeyedCreateTimes: Sendable {
    private struct Table {
        var times: [UUID: GraphTimestamp] = [:]
        var order: Deque<UUID> = []
    }

    /// Entries kept at most.
    let capacity: Int
    private let table = Mutex(Table())

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// The time recorded for `entityID`, or `proposed`, which is recorded when none was.
    func firstTime(ofEntity entityID: String, proposing proposed: GraphTimestamp) -> GraphTimestamp {
        guard capacity > 0, let id = UUID(uuidString: entityID) else { return proposed }
        return table.withLock { table in
            if let first = table.times[id] { return first }
            if table.order.count == capacity, let oldest = table.order.popFirst() {
                table.times[oldest] = nil
            }
            table.times[id] = proposed
            table.order.append(id)
            return proposed
        }
    }

    /// Entries held now.
    var count: Int { table.withLock { $0.times.count } }
}
