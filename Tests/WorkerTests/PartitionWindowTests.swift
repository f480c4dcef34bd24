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
        #expect(window.committableOffset == nil, "a position from an earlier assignment may lie behind the group's commit")
        let only = window.append(offset: 6, record: nil)
        window.complete(sequence: only)
        window.advanceIfSettled(to: 5)
        #expect(window.committableOffset == 7)
    }

    @Test func theTrackerCommitsAPositionPastTheLastRecordOnceEverythingIsAcknowledged() {
        let tracker = DeliveryTracker()
        tracker.assign([0])
        let tickets = (0..<3).compactMap { offset in
            tracker.dispatch(InboundRecord(partition: 0, offset: Int64(offset), timestampMilliseconds: 0, key: nil, value: [], headers: []))
        }
        tracker.advanceSettled(to: [0: 5])
        tracker.complete(tickets[0])
        tracker.complete(tickets[1])
        tracker.advanceSettled(to: [0: 5])
        #expect(tracker.takeCommittableOffsets().map(\.offset) == [2], "one record still in flight")
        tracker.complete(tickets[2])
        tracker.advanceSettled(to: [0: 5])
        #expect(tracker.takeCommittableOffsets().map(\.offset) == [5], "the position past the markers")
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
        let record = { (partition: Int32, offset: Int64) in
            InboundRecord(partition: partition, offset: offset, timestampMilliseconds: 0, key: nil, value: [1], headers: [])
        }
        let a = tracker.dispatch(record(0, 0))!
        let b = tracker.dispatch(record(1, 0))!
        #expect(tracker.inFlightCount == 2)
        #expect(!tracker.waitUntilSettled([0], deadline: .now + .milliseconds(20)))
        tracker.complete(a)
        #expect(tracker.waitUntilSettled([0], deadline: .now + .milliseconds(20)))
        #expect(tracker.takeCommittableOffsets([0]).map(\.offset) == [1])
        #expect(tracker.takeCommittableOffsets([0]).isEmpty, "an unchanged offset is not committed again")
        tracker.complete(b)
        #expect(tracker.takeCommittableOffsets().map(\.partition) == [1])
        #expect(tracker.inFlightCount == 0)
    }

    @Test func aRecordOfAnUnassignedPartitionIsNotDispatched() {
        let tracker = DeliveryTracker()
        tracker.assign([0])
        let stray = InboundRecord(partition: 5, offset: 0, timestampMilliseconds: nil, key: nil, value: nil, headers: [])
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
        #expect(tracker.takeCommittableOffsets().isEmpty)
    }
}
