import Kafka
import Testing

@testable import Worker

@Suite struct PartitionWindowTests {
    @Test func outOfOrderCompletionsCommitOnlyTheContiguousPrefix() {
        var window = PartitionWindow()
        let sequences = (10..<15).map { window.append(offset: Int64($0), record: nil) }
        window.complete(sequence: sequences[2])
        window.complete(sequence: sequences[1])
        #expect(window.committableOffset == nil)
        window.complete(sequence: sequences[0])
        #expect(window.committableOffset == 13)
        #expect(window.count == 2)
        window.complete(sequence: sequences[4])
        #expect(window.committableOffset == 13)
        window.complete(sequence: sequences[3])
        #expect(window.committableOffset == 15)
        #expect(window.count == 0)
        #expect(window.isSettled)
    }

    @Test func offsetGapsFromCompactionCommitPastTheLastDoneRecord() {
        var window = PartitionWindow()
        let first = window.append(offset: 3, record: nil)
        let second = window.append(offset: 9, record: nil)
        window.complete(sequence: first)
        window.complete(sequence: second)
        #expect(window.committableOffset == 10)
    }

    // Transaction markers and aborted records are never handed to the consumer, so
    // a partition ending in them has a consumer position past its last record.

    @Test func aSettledWindowCommitsTheConsumerPositionPastItsLastRecord() {
        var window = PartitionWindow()
        let sequences = (0..<5).map { window.append(offset: Int64($0), record: nil) }
        for sequence in sequences { window.complete(sequence: sequence) }
        #expect(window.committableOffset == 5)
        // Offsets 5 and 6 were a marker and an aborted record: the position is 7.
        window.advanceIfSettled(to: 7)
        #expect(window.committableOffset == 7)
    }

    @Test func aPositionPastRecordsStillInFlightMovesNothing() {
        var window = PartitionWindow()
        let first = window.append(offset: 0, record: nil)
        _ = window.append(offset: 1, record: nil)
        window.complete(sequence: first)
        window.advanceIfSettled(to: 9)
        #expect(window.committableOffset == 1, "record 1 is not acknowledged: nothing past it is committable")
    }

    @Test func aPositionBehindTheCommittableOffsetOrBeforeAnyCompletionIsIgnored() {
        var window = PartitionWindow()
        window.advanceIfSettled(to: 4)
        #expect(
            window.committableOffset == nil, "a position from an earlier assignment may lie behind the group's commit")
        let only = window.append(offset: 6, record: nil)
        window.complete(sequence: only)
        window.advanceIfSettled(to: 5)
        #expect(window.committableOffset == 7)
    }

    @Test func theTrackerCommitsAPositionPastTheLastRecordOnceEverythingIsAcknowledged() {
        let tracker = DeliveryTracker()
        tracker.assign([0])
        let tickets = (0..<3).compactMap { offset in tracker.dispatch(record(0, Int64(offset), bytes: 0)) }
        tracker.advanceSettled(to: [0: 5])
        tracker.complete(tickets[0])
        tracker.complete(tickets[1])
        tracker.advanceSettled(to: [0: 5])
        #expect(tracker.committableOffsets().map(\.offset) == [2], "one record still in flight")
        tracker.complete(tickets[2])
        tracker.advanceSettled(to: [0: 5])
        #expect(tracker.committableOffsets().map(\.offset) == [5], "the position past the markers")
    }

    @Test func aFailedRecordHoldsTheWindowForever() {
        var window = PartitionWindow()
        let first = window.append(offset: 0, record: nil)
        let second = window.append(offset: 1, record: nil)
        let third = window.append(offset: 2, record: nil)
        window.complete(sequence: first)
        window.fail(sequence: second)
        window.complete(sequence: third)
        #expect(window.committableOffset == 1)
        #expect(window.isSettled)
        #expect(window.firstFailedOffset == 1)
    }

    @Test func completingTwiceOrAnUnknownSequenceChangesNothing() {
        var window = PartitionWindow()
        let first = window.append(offset: 0, record: nil)
        let moved = window.complete(sequence: first)
        let movedAgain = window.complete(sequence: first)
        let movedByUnknown = window.complete(sequence: 99)
        #expect(moved)
        #expect(!movedAgain)
        #expect(!movedByUnknown)
        #expect(window.committableOffset == 1)
    }

    @Test func aLongRunReclaimsItsFrontAndKeepsCounting() {
        var window = PartitionWindow()
        for offset in 0..<5000 {
            let sequence = window.append(offset: Int64(offset), record: nil)
            window.complete(sequence: sequence)
        }
        #expect(window.committableOffset == 5000)
        #expect(window.count == 0)
        #expect(window.baseSequence == 5000)
    }
}

@Suite struct DeliveryTicketTests {
    @Test(arguments: [
        DeliveryTicket(kind: .entity, slot: 0, sequence: 0),
        DeliveryTicket(kind: .deadLetter, slot: 0x7F_FFFF, sequence: 0xFF_FFFF_FFFF),
        DeliveryTicket(kind: .entity, slot: 12, sequence: 987_654_321),
    ])
    func ticketsSurviveTheOpaqueRoundTrip(ticket: DeliveryTicket) {
        #expect(DeliveryTicket(opaque: ticket.opaque) == ticket)
    }
}

@Suite struct DeliveryTrackerTests {
    @Test func revokedPartitionsSettleOnceTheirLastRecordIsAcknowledged() {
        let tracker = DeliveryTracker()
        tracker.assign([0, 1])
        let a = tracker.dispatch(record(0, 0))!
        let b = tracker.dispatch(record(1, 0))!
        #expect(tracker.inFlightCount == 2)
        #expect(!tracker.waitUntilSettled([0], deadline: .now + .milliseconds(20)))
        tracker.complete(a)
        #expect(tracker.waitUntilSettled([0], deadline: .now + .milliseconds(20)))
        let first = tracker.committableOffsets([0])
        #expect(first.map(\.offset) == [1])
        #expect(tracker.committableOffsets([0]).map(\.offset) == [1], "offered again until stored")
        tracker.markStored(first)
        #expect(tracker.committableOffsets([0]).isEmpty, "an unchanged offset is not stored again")
        #expect(
            tracker.committableOffsets([0], includingStored: true).map(\.offset) == [1], "a final commit sends it again"
        )
        tracker.complete(b)
        #expect(tracker.committableOffsets().map(\.partition) == [1])
        #expect(tracker.inFlightCount == 0)
    }

    @Test func aBatchOfAcknowledgementsInAnyOrderCommitsWhatTheyWouldOneByOne() {
        let tracker = DeliveryTracker()
        tracker.assign([0, 1])
        let tickets = (0..<6).map { index in tracker.dispatch(record(Int32(index % 2), Int64(index / 2), bytes: 3))! }
        // Partition 0 holds offsets 0, 1, 2 (tickets 0, 2, 4); partition 1 the same (1, 3, 5).
        tracker.complete([tickets[4], tickets[1], tickets[0], tickets[5]])
        #expect(tracker.inFlightCount == 2, "offset 1 of each partition")
        #expect(tracker.windowedCount == 4, "in each partition, offset 1 and the done offset 2 behind it")
        #expect(tracker.committableOffsets().map(\.offset) == [1, 1])
        tracker.complete([tickets[2], tickets[3]])
        #expect(tracker.committableOffsets().map(\.offset) == [3, 3])
        #expect(tracker.inFlightCount == 0)
        #expect(tracker.windowedCount == 0)
        #expect(tracker.inFlightByteCount == 0)
        #expect(tracker.waitUntilSettled(deadline: .now + .milliseconds(20)))
    }

    /// The in-flight cap counts records whose output is not acknowledged; the windows'
    /// own bound counts those and the acknowledged ones waiting behind them.
    @Test func recordsAcknowledgedBehindASlowerOneLeaveTheInFlightCapButNotTheWindowBound() {
        let tracker = DeliveryTracker()
        tracker.assign([0])
        let tickets = (0..<4).map { offset in tracker.dispatch(record(0, Int64(offset)))! }
        let room = { (limit: Int, windowLimit: Int) in
            tracker.waitForRoom(
                below: limit, windowedBelow: windowLimit, bytesBelow: 1_000_000, deadline: .now + .milliseconds(20))
        }
        #expect(!room(4, 100), "four in flight")
        tracker.complete(tickets[1...3])
        #expect(tracker.inFlightCount == 1 && tracker.windowedCount == 4)
        #expect(room(2, 5), "one in flight, four in the window")
        #expect(!room(2, 4), "the window is at its bound while offset 0 is in flight")
        #expect(tracker.committableOffsets().isEmpty)
        tracker.complete(tickets[0])
        #expect(tracker.inFlightCount == 0 && tracker.windowedCount == 0)
        #expect(room(1, 1))
        #expect(tracker.committableOffsets().map(\.offset) == [4])
    }

    @Test func aRecordOfAnUnassignedPartitionIsNotDispatched() {
        let tracker = DeliveryTracker()
        tracker.assign([0])
        let stray = InboundRecord(
            partition: 5, offset: 0, timestampMilliseconds: nil, key: nil, value: nil, headers: [])
        #expect(tracker.dispatch(stray) == nil)
    }

    @Test func reportsForAPartitionAssignedAgainAfterRevokeAreIgnored() {
        let tracker = DeliveryTracker()
        tracker.assign([0])
        let old = tracker.dispatch(
            InboundRecord(partition: 0, offset: 7, timestampMilliseconds: nil, key: nil, value: nil, headers: []))!
        tracker.remove([0])
        tracker.assign([0])
        tracker.complete(old)
        #expect(tracker.committableOffsets().isEmpty)
    }
}

@Suite struct TicketWrapTests {
    @Test func sequenceNumbersThatWrapPastFortyBitsStillFindTheirRecords() {
        // The window starts three records before 2^40: the tickets of the records after
        // them wrap to 0, 1, 2, as the ticket's 40 bits carry them.
        var window = PartitionWindow(firstSequence: PartitionWindow.sequenceMask - 2)
        let sequences = (0..<6).map { window.append(offset: Int64(100 + $0), record: nil) }
        #expect(
            sequences == [
                PartitionWindow.sequenceMask - 2, PartitionWindow.sequenceMask - 1,
                PartitionWindow.sequenceMask, 0, 1, 2,
            ])
        for index in [4, 3, 5, 1] { window.complete(sequence: sequences[index]) }
        #expect(window.committableOffset == nil, "the first record is still in flight")
        #expect(window.offset(sequence: sequences[5]) == 105)
        window.complete(sequence: sequences[0])
        #expect(window.committableOffset == 102)
        window.complete(sequence: sequences[2])
        #expect(window.committableOffset == 106)
        #expect(window.count == 0)
        // A ticket of a record that already left the window finds nothing, wrapped or not.
        let movedByStale = window.complete(sequence: sequences[3])
        #expect(!movedByStale)
        #expect(window.offset(sequence: sequences[0]) == nil)
    }

    @Test func aSlotStillInUseIsNeverGivenOutAgainWhenSlotsWrap() {
        let tracker = DeliveryTracker(slotCount: 2)
        tracker.assign([0, 1])
        tracker.remove([1])
        // The next slot number is 0 again, which partition 0 still holds.
        tracker.assign([2])
        let first = tracker.dispatch(record(0, 0))!
        let second = tracker.dispatch(record(2, 0))!
        #expect(first.slot != second.slot)
        tracker.complete(second)
        #expect(tracker.committableOffsets().map(\.partition) == [2], "partition 0 is untouched")
        tracker.complete(first)
        #expect(tracker.committableOffsets().map(\.partition) == [0, 2])
    }
}

@Suite struct InFlightBytesTests {
    @Test func bytesCountFromDispatchUntilTheOutputIsAcknowledged() {
        let tracker = DeliveryTracker()
        tracker.assign([0, 1])
        let big = record(0, 0, bytes: 1_000_000)
        let small = record(0, 1, bytes: 1_000)
        let other = record(1, 0, bytes: 5_000)
        let a = tracker.dispatch(big)!
        let b = tracker.dispatch(small)!
        _ = tracker.dispatch(other)!
        #expect(tracker.inFlightByteCount == big.memoryBytes + small.memoryBytes + other.memoryBytes)
        #expect(big.memoryBytes >= 1_000_000)
        // Acknowledged behind a record still in flight: its bytes are released at once
        // (its copy is dropped), and only its window still counts it.
        tracker.complete(b)
        #expect(tracker.inFlightByteCount == big.memoryBytes + other.memoryBytes)
        #expect(tracker.inFlightCount == 2)
        #expect(tracker.windowedCount == 3)
        #expect(
            !tracker.waitForRoom(
                below: 100, windowedBelow: 100, bytesBelow: 1_000_000, deadline: .now + .milliseconds(20)))
        tracker.complete(a)
        #expect(
            tracker.waitForRoom(
                below: 100, windowedBelow: 100, bytesBelow: 1_000_000, deadline: .now + .milliseconds(20)))
        tracker.remove([1])
        #expect(tracker.inFlightByteCount == 0)
        #expect(tracker.inFlightCount == 0)
    }

    @Test func headersCountTowardsARecordsBytes() {
        let headers = (0..<1_000).map { KafkaHeader(name: "h-\($0)", value: [UInt8](repeating: 0x61, count: 100)) }
        let record = InboundRecord(
            partition: 0, offset: 0, timestampMilliseconds: nil, key: nil, value: [1], headers: headers)
        #expect(record.memoryBytes >= 100_000 + 1_000 * 3)
    }
}

/// A record of `partition` at `offset` whose value is `bytes` spaces.
private func record(_ partition: Int32, _ offset: Int64, bytes: Int = 1) -> InboundRecord {
    InboundRecord(
        partition: partition, offset: offset, timestampMilliseconds: nil, key: nil,
        value: [UInt8](repeating: 0x20, count: bytes), headers: [])
}
