import Foundation
import Kafka

/// Tracks, for every assigned inbound partition, which records have had their
/// output acknowledged, and says which offsets may be committed.
///
/// Shared by the polling thread (which dispatches records, commits and handles
/// rebalances), the processing lanes (which look up a record to dead-letter
/// it) and the producer's delivery thread (which completes records), so its
/// state sits behind one lock; the condition lets the polling thread wait for
/// a partition to settle before it is released, or for room under the cap.
final class DeliveryTracker: @unchecked Sendable {
    // Safe to share: every stored property below `condition` is read and
    // written only while `condition` is locked; `condition` itself is a
    // thread-safe pthread mutex and condition variable.
    private let condition = NSCondition()
    private var windows: [UInt32: PartitionWindow] = [:]
    private var slotOfPartition: [Int32: UInt32] = [:]
    private var partitionOfSlot: [UInt32: Int32] = [:]
    private var nextSlot: UInt32 = 0
    /// Records whose output is not acknowledged yet.
    private var unacknowledged = 0
    /// Entries in the windows: those plus the acknowledged ones waiting behind an earlier record.
    private var windowed = 0
    private var inFlightBytes = 0
    private var peakInFlightBytes = 0
    /// Slot numbers run modulo this (a power of two, at most 2^23: the ticket's 23 bits).
    private let slotMask: UInt32

    /// - Parameter slotCount: how many slot numbers there are before they wrap (tests
    ///   make it small to see the wrap).
    init(slotCount: UInt32 = 1 << 23) {
        precondition(slotCount.nonzeroBitCount == 1 && slotCount <= 1 << 23)
        slotMask = slotCount - 1
    }

    /// A new window for each partition; a partition assigned again after a
    /// revoke gets a new slot, so late reports of the old one are ignored.
    /// Slots wrap after 2^23 assignments; one still in use is never given out again.
    func assign(_ partitions: [Int32]) {
        locked {
            for partition in partitions where slotOfPartition[partition] == nil {
                precondition(partitionOfSlot.count <= Int(slotMask), "more partitions than ticket slots")
                while partitionOfSlot[nextSlot] != nil { nextSlot = (nextSlot + 1) & slotMask }
                let slot = nextSlot
                nextSlot = (nextSlot + 1) & slotMask
                slotOfPartition[partition] = slot
                partitionOfSlot[slot] = partition
                windows[slot] = PartitionWindow()
            }
        }
    }

    /// Forgets partitions: after their final commit on revoke, or when lost.
    func remove(_ partitions: [Int32]) {
        locked {
            for partition in partitions {
                guard let slot = slotOfPartition.removeValue(forKey: partition) else { continue }
                partitionOfSlot[slot] = nil
                if let window = windows.removeValue(forKey: slot) {
                    unacknowledged -= window.unacknowledgedCount
                    windowed -= window.count
                    inFlightBytes -= window.bytesInFlight
                }
            }
            condition.broadcast()
        }
    }

    /// The partitions with a window: those assigned and not yet released.
    var assignedPartitions: [Int32] { locked { Array(slotOfPartition.keys) } }

    /// Moves the committable offset of every partition whose consumed records are
    /// all acknowledged up to its consumer position, where that lies beyond (see
    /// ``PartitionWindow/advanceIfSettled(to:)``).
    func advanceSettled(to positions: [Int32: Int64]) {
        locked {
            for (partition, position) in positions {
                guard let slot = slotOfPartition[partition] else { continue }
                windows[slot]!.advanceIfSettled(to: position)
            }
        }
    }

    /// Records dispatched whose output is not acknowledged yet (``PartitionWindow/unacknowledgedCount``).
    var inFlightCount: Int { locked { unacknowledged } }

    /// Records in the windows: the ones in flight, and the acknowledged ones that wait
    /// behind an earlier record of their partition before their offset can be committed.
    var windowedCount: Int { locked { windowed } }

    /// ``inFlightCount``, ``windowedCount`` and ``inFlightByteCount`` read under one lock, as
    /// the polling thread checks them against its caps before each poll.
    var load: (records: Int, windowed: Int, bytes: Int) { locked { (unacknowledged, windowed, inFlightBytes) } }

    /// What the records in flight hold in memory (``InboundRecord/memoryBytes``): a record
    /// counts from dispatch until its output is acknowledged.
    var inFlightByteCount: Int { locked { inFlightBytes } }

    /// The most bytes ever in flight at once.
    var peakInFlightByteCount: Int { locked { peakInFlightBytes } }

    /// Adds a consumed record to its partition's window; nil when the partition
    /// is not assigned (a record fetched just before its partition was revoked).
    func dispatch(_ record: InboundRecord) -> DeliveryTicket? {
        locked {
            guard let slot = slotOfPartition[record.partition] else { return nil }
            let sequence = windows[slot]!.append(offset: record.offset, record: record)
            unacknowledged += 1
            windowed += 1
            inFlightBytes += record.memoryBytes
            peakInFlightBytes = max(peakInFlightBytes, inFlightBytes)
            return DeliveryTicket(kind: .entity, slot: slot, sequence: sequence)
        }
    }

    /// The inbound record behind a ticket, while it is in flight.
    func record(for ticket: DeliveryTicket) -> InboundRecord? {
        locked { windows[ticket.slot]?.record(sequence: ticket.sequence) }
    }

    /// The dead letter last published for a record in flight, if any.
    func deadLetter(for ticket: DeliveryTicket) -> DeadLetterAttempt? {
        locked { windows[ticket.slot]?.deadLetter(sequence: ticket.sequence) }
    }

    /// Remembers the dead letter published for a record in flight.
    func setDeadLetter(_ attempt: DeadLetterAttempt, for ticket: DeliveryTicket) {
        locked { windows[ticket.slot]?.setDeadLetter(attempt, sequence: ticket.sequence) }
    }

    /// Marks a record's output acknowledged.
    func complete(_ ticket: DeliveryTicket) {
        complete(CollectionOfOne(ticket))
    }

    /// Marks these records' outputs acknowledged (a batch of delivery reports), taking
    /// the lock and waking waiters once for all of them.
    func complete(_ tickets: some Sequence<DeliveryTicket>) {
        locked {
            for ticket in tickets {
                // Mutated in place: a copy taken out of the dictionary would share
                // the entries' storage and copy all of it on write.
                guard let before = windows[ticket.slot]?.counts else { continue }
                windows[ticket.slot]!.complete(sequence: ticket.sequence)
                let after = windows[ticket.slot]!.counts
                unacknowledged -= before.unacknowledged - after.unacknowledged
                windowed -= before.windowed - after.windowed
                inFlightBytes -= before.bytes - after.bytes
            }
            condition.broadcast()
        }
    }

    /// Marks a record that could be published nowhere: its partition never
    /// commits past it. Returns the partition and offset, for the report.
    func fail(_ ticket: DeliveryTicket) -> (partition: Int32, offset: Int64)? {
        locked {
            guard let partition = partitionOfSlot[ticket.slot],
                let offset = windows[ticket.slot]?.offset(sequence: ticket.sequence)
            else { return nil }
            windows[ticket.slot]!.fail(sequence: ticket.sequence)
            condition.broadcast()
            return (partition, offset)
        }
    }

    /// Offsets that moved since they were last stored, for the given partitions
    /// (all when nil). With `includingStored`, every committable offset, moved or not: a
    /// partition's final commit sends its offset whatever became of the earlier
    /// ones. Nothing is marked: ``markStored(_:)`` does that once they are stored,
    /// so an offset whose store failed is offered again.
    func committableOffsets(
        _ partitions: [Int32]? = nil, includingStored: Bool = false
    ) -> [(partition: Int32, offset: Int64)] {
        locked {
            var result: [(Int32, Int64)] = []
            for (partition, slot) in slotOfPartition where partitions?.contains(partition) ?? true {
                guard let offset = windows[slot]?.committableOffset,
                    includingStored || offset != windows[slot]?.lastTakenOffset
                else { continue }
                result.append((partition, offset))
            }
            return result.sorted { $0.0 < $1.0 }
        }
    }

    /// Records that these offsets were stored, so they are not offered again until
    /// their partition moves on. An offset behind one already marked changes nothing.
    func markStored(_ offsets: [(partition: Int32, offset: Int64)]) {
        locked {
            for (partition, offset) in offsets {
                guard let slot = slotOfPartition[partition], let window = windows[slot] else { continue }
                if window.lastTakenOffset.map({ $0 < offset }) ?? true { windows[slot]!.lastTakenOffset = offset }
            }
        }
    }

    /// Waits until fewer than `limit` records, holding fewer than `byteLimit` bytes, are
    /// in flight and fewer than `windowLimit` are in the windows, or the deadline passes.
    /// Returns whether there is room.
    func waitForRoom(
        below limit: Int, windowedBelow windowLimit: Int, bytesBelow byteLimit: Int, deadline: ContinuousClock.Instant
    ) -> Bool {
        wait(until: deadline) { unacknowledged < limit && windowed < windowLimit && inFlightBytes < byteLimit }
    }

    /// Waits until no record of these partitions is in flight (each is done or
    /// failed), or the deadline passes. Returns whether they settled.
    func waitUntilSettled(_ partitions: [Int32]? = nil, deadline: ContinuousClock.Instant) -> Bool {
        wait(until: deadline) {
            !slotOfPartition.contains { partition, slot in
                (partitions?.contains(partition) ?? true) && !(windows[slot]?.isSettled ?? true)
            }
        }
    }

    /// Blocks on the condition until `isSatisfied` (checked under the lock) or the deadline.
    private func wait(until deadline: ContinuousClock.Instant, for isSatisfied: () -> Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !isSatisfied() {
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { return false }
            _ = condition.wait(until: Date(timeIntervalSinceNow: min(remaining.seconds, 1)))
        }
        return true
    }

    private func locked<R>(_ body: () throws -> R) rethrows -> R {
        condition.lock()
        defer { condition.unlock() }
        return try body()
    }
}
