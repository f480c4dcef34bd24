/// The records of one inbound partition that were handed to the producer and
/// are not yet committable, in offset order.
///
/// Delivery reports arrive out of order (outputs land in different output
/// partitions), but a consumer group commits one offset per partition that
/// means "everything before this is done". The window turns completions in
/// any order into the contiguous prefix that may be committed.
///
/// A plain value type: its owner (``DeliveryTracker``) keeps every window
/// behind one lock.
struct PartitionWindow: Sendable {
    /// One dispatched record.
    struct Entry: Sendable {
        var offset: Int64
        var state: EntryState
        /// The inbound record, kept until the entry leaves the window so a
        /// failed entity can still be dead-lettered with the original bytes.
        var record: InboundRecord?
    }

    enum EntryState: Sendable, Equatable {
        case inFlight
        case done
        /// Published neither as an entity nor as a dead letter: the window
        /// never moves past it.
        case failed
    }

    /// Sequence number of `entries[head]`.
    private(set) var baseSequence: UInt64 = 0
    private var entries: [Entry] = []
    private var head = 0
    /// The next offset to consume once everything before it is done; `nil`
    /// until the first record completes.
    private(set) var committableOffset: Int64?
    /// The offset last taken to be stored or committed, to skip ones that change nothing.
    var lastTakenOffset: Int64?

    /// Records that are in the window (in flight, or done behind one that is not).
    var count: Int { entries.count - head }

    var isSettled: Bool {
        entries[head...].allSatisfy { $0.state != .inFlight }
    }

    /// The first record that failed, if any.
    var firstFailedOffset: Int64? {
        entries[head...].first { $0.state == .failed }?.offset
    }

    /// Appends a record in consumption order and returns its sequence number.
    mutating func append(offset: Int64, record: InboundRecord?) -> UInt64 {
        let sequence = baseSequence + UInt64(count)
        entries.append(Entry(offset: offset, state: .inFlight, record: record))
        return sequence
    }

    /// The record kept for the entry, if the entry is still in the window.
    func record(sequence: UInt64) -> InboundRecord? {
        guard let index = index(of: sequence) else { return nil }
        return entries[index].record
    }

    func offset(sequence: UInt64) -> Int64? {
        guard let index = index(of: sequence) else { return nil }
        return entries[index].offset
    }

    /// Marks an entry done and slides the window over the done prefix.
    /// Returns whether the committable offset moved.
    @discardableResult
    mutating func complete(sequence: UInt64) -> Bool {
        guard let index = index(of: sequence), entries[index].state == .inFlight else { return false }
        entries[index].state = .done
        entries[index].record = nil
        return slide()
    }

    /// Moves the committable offset up to the consumer's `position` when every
    /// record consumed in this window is acknowledged and the position lies
    /// beyond the last of them: the offsets between hold nothing the consumer
    /// hands over (transaction markers, aborted records), so nothing is skipped.
    /// Only after the window completed a record: before that, a position may be
    /// left from an earlier assignment and lie behind the group's commit.
    mutating func advanceIfSettled(to position: Int64) {
        guard count == 0, let committable = committableOffset, position > committable else { return }
        committableOffset = position
    }

    mutating func fail(sequence: UInt64) {
        guard let index = index(of: sequence) else { return }
        entries[index].state = .failed
    }

    private func index(of sequence: UInt64) -> Int? {
        guard sequence >= baseSequence else { return nil }
        let index = head + Int(sequence - baseSequence)
        return index < entries.count ? index : nil
    }

    private mutating func slide() -> Bool {
        var moved = false
        while head < entries.count, entries[head].state == .done {
            committableOffset = entries[head].offset + 1
            head += 1
            baseSequence += 1
            moved = true
        }
        // Reclaim the consumed front now and then, not on every pop.
        if head > 1024, head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
        return moved
    }
}
