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
        /// What the record holds in memory while it is in flight (``InboundRecord/memoryBytes``).
        var bytes: Int
        /// The dead letter last published for it, so a smaller one can follow a refusal for size.
        var deadLetter: DeadLetterAttempt?
    }

    enum EntryState: Sendable, Equatable {
        case inFlight
        case done
        /// Published neither as an entity nor as a dead letter: the window
        /// never moves past it.
        case failed
    }

    /// Tickets carry a sequence number of this many bits (``DeliveryTicket``); the
    /// window compares them modulo 2^bits, so the numbers may wrap.
    static let sequenceBits = 40
    static let sequenceMask: UInt64 = (1 << UInt64(sequenceBits)) - 1

    /// Sequence number of `entries[head]`, counted without wrapping.
    private(set) var baseSequence: UInt64
    private var entries: [Entry] = []
    private var head = 0
    /// The next offset to consume once everything before it is done; `nil`
    /// until the first record completes.
    private(set) var committableOffset: Int64?
    /// The offset last stored or committed, to skip ones that change nothing.
    var lastTakenOffset: Int64?
    /// Bytes of the records in flight (dispatched, neither done nor failed).
    private(set) var bytesInFlight = 0
    /// Entries whose output is not acknowledged (in flight or failed); ``count`` also
    /// holds the done ones waiting behind an earlier entry.
    private(set) var unacknowledgedCount = 0

    /// - Parameter firstSequence: the first record's sequence number (tests start near a wrap).
    init(firstSequence: UInt64 = 0) {
        baseSequence = firstSequence
    }

    /// Records that are in the window (in flight, or done behind one that is not).
    var count: Int { entries.count - head }

    /// The window's three counts, read together (scalars: reading them copies no entries).
    var counts: (unacknowledged: Int, windowed: Int, bytes: Int) { (unacknowledgedCount, count, bytesInFlight) }

    var isSettled: Bool {
        entries[head...].allSatisfy { $0.state != .inFlight }
    }

    /// The first record that failed, if any.
    var firstFailedOffset: Int64? {
        entries[head...].first { $0.state == .failed }?.offset
    }

    /// Appends a record in consumption order and returns its sequence number, cut
    /// to ``sequenceBits`` as a ticket carries it.
    mutating func append(offset: Int64, record: InboundRecord?) -> UInt64 {
        let sequence = (baseSequence &+ UInt64(count)) & Self.sequenceMask
        let bytes = record?.memoryBytes ?? 0
        entries.append(Entry(offset: offset, state: .inFlight, record: record, bytes: bytes))
        bytesInFlight += bytes
        unacknowledgedCount += 1
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

    /// The dead letter last published for the entry, if any.
    func deadLetter(sequence: UInt64) -> DeadLetterAttempt? {
        guard let index = index(of: sequence) else { return nil }
        return entries[index].deadLetter
    }

    /// Remembers the dead letter published for an entry still in flight.
    mutating func setDeadLetter(_ attempt: DeadLetterAttempt, sequence: UInt64) {
        guard let index = index(of: sequence), entries[index].state == .inFlight else { return }
        entries[index].deadLetter = attempt
    }

    /// Marks an entry done and slides the window over the done prefix.
    /// Returns whether the committable offset moved.
    @discardableResult
    mutating func complete(sequence: UInt64) -> Bool {
        guard let index = index(of: sequence), entries[index].state == .inFlight else { return false }
        entries[index].state = .done
        entries[index].record = nil
        entries[index].deadLetter = nil
        bytesInFlight -= entries[index].bytes
        unacknowledgedCount -= 1
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

    /// Marks an entry failed: its record stays (and counts) until the window is dropped.
    mutating func fail(sequence: UInt64) {
        guard let index = index(of: sequence) else { return }
        entries[index].state = .failed
    }

    /// The entry of a ticket's sequence number: its distance from the head, modulo
    /// 2^``sequenceBits``, is below the count. A window never holds anywhere near
    /// 2^40 entries, so a wrapped number is never mistaken for another entry, and a
    /// number that already left the window is far out of range.
    private func index(of sequence: UInt64) -> Int? {
        let distance = (sequence &- baseSequence) & Self.sequenceMask
        guard distance < UInt64(count) else { return nil }
        return head + Int(distance)
    }

    private mutating func slide() -> Bool {
        var moved = false
        while head < entries.count, entries[head].state == .done {
            committableOffset = entries[head].offset + 1
            head += 1
            baseSequence &+= 1
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
