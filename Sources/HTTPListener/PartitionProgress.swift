/// For each assigned partition of the input topic: its lag, and since when it
/// has had lag without its committed offset moving — the stuck-partition check
/// behind `/livez`.
///
/// A plain value: its owner (``WorkerMonitor``) keeps it behind its lock and
/// feeds it one consumer statistics document at a time.
struct PartitionProgress: Sendable {
    /// What one statistics document says about one partition.
    struct Observation: Sendable {
        var partition: Int32
        /// Records not yet committed; nil when unknown (nothing fetched yet).
        var lag: Int64?
        var committedOffset: Int64
    }

    struct Entry: Sendable, Equatable {
        var lag: Int64?
        var committedOffset: Int64
        /// When the partition last had no lag or last committed; its wait for
        /// progress started then.
        var waitingSince: ContinuousClock.Instant
    }

    private(set) var entries: [Int32: Entry] = [:]

    /// Takes in the assigned partitions as of `time`. A partition that moved its
    /// committed offset, or has no lag, starts waiting afresh; a partition no
    /// longer listed is forgotten (revoked), and one listed anew starts now.
    mutating func update(_ observations: [Observation], at time: ContinuousClock.Instant) {
        var next: [Int32: Entry] = [:]
        for observation in observations {
            let hasLag = (observation.lag ?? 0) > 0
            if var entry = entries[observation.partition], hasLag,
                entry.committedOffset == observation.committedOffset
            {
                entry.lag = observation.lag
                next[observation.partition] = entry
            } else {
                next[observation.partition] = Entry(
                    lag: observation.lag, committedOffset: observation.committedOffset, waitingSince: time)
            }
        }
        entries = next
    }

    /// A partition that has had lag and no progress for longer than the bound.
    struct Stuck: Sendable, Equatable, Encodable {
        var partition: Int32
        var lag: Int64
        var secondsWithoutProgress: Int
    }

    /// The partitions with lag whose committed offset has not moved for longer than `bound`.
    func stuck(now: ContinuousClock.Instant, bound: Duration) -> [Stuck] {
        entries.compactMap { partition, entry in
            guard let lag = entry.lag, lag > 0 else { return nil }
            let waited = entry.waitingSince.duration(to: now)
            guard waited > bound else { return nil }
            return Stuck(partition: partition, lag: lag, secondsWithoutProgress: Int(waited.components.seconds))
        }.sorted { $0.partition < $1.partition }
    }
}
