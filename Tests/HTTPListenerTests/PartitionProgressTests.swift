import Testing

@testable import HTTPListener

/// The stuck-partition clock, on its own.
struct PartitionProgressTests {
    private let start = ContinuousClock.now
    private let bound = Duration.seconds(10)

    private func observed(_ partition: Int32, lag: Int64?, committed: Int64) -> PartitionProgress.Observation {
        .init(partition: partition, lag: lag, committedOffset: committed)
    }

    @Test func lagWithoutACommitIsStuckOnlyPastTheBound() {
        var progress = PartitionProgress()
        progress.update([observed(0, lag: 5, committed: 10)], at: start)
        progress.update([observed(0, lag: 7, committed: 10)], at: start + .seconds(9))
        #expect(progress.stuck(now: start + .seconds(10), bound: bound).isEmpty)
        let stuck = progress.stuck(now: start + .seconds(11), bound: bound)
        #expect(stuck == [.init(partition: 0, lag: 7, secondsWithoutProgress: 11)])
    }

    @Test func aMovingCommitOrNoLagRestartsTheClock() {
        var progress = PartitionProgress()
        progress.update([observed(0, lag: 5, committed: 10), observed(1, lag: 5, committed: 3)], at: start)
        progress.update(
            [observed(0, lag: 5, committed: 10), observed(1, lag: 0, committed: 3)], at: start + .seconds(7))
        progress.update(
            [observed(0, lag: 5, committed: 11), observed(1, lag: 4, committed: 3)], at: start + .seconds(8))
        progress.update(
            [observed(0, lag: 5, committed: 11), observed(1, lag: 4, committed: 3)], at: start + .seconds(9))
        #expect(progress.stuck(now: start + .seconds(16), bound: bound).isEmpty)
        #expect(progress.stuck(now: start + .seconds(17.5), bound: bound).map(\.partition) == [1])
        #expect(progress.stuck(now: start + .seconds(18.5), bound: bound).map(\.partition) == [0, 1])
    }

    @Test func unknownLagIsNeverStuckAndRevokedPartitionsAreForgotten() {
        var progress = PartitionProgress()
        progress.update([observed(0, lag: nil, committed: -1001), observed(1, lag: 3, committed: 0)], at: start)
        #expect(progress.stuck(now: start + .seconds(60), bound: bound).map(\.partition) == [1])
        progress.update([observed(0, lag: nil, committed: -1001)], at: start + .seconds(61))
        #expect(progress.entries.keys.sorted() == [0])
        #expect(progress.stuck(now: start + .seconds(120), bound: bound).isEmpty)
        // Assigned again later, its clock starts anew.
        progress.update([observed(1, lag: 3, committed: 0)], at: start + .seconds(121))
        #expect(progress.stuck(now: start + .seconds(125), bound: bound).isEmpty)
    }
}
