import Kafka

/// Where a running replay is.
public struct ReplayProgress: ProgressReport, Equatable {
    /// Letters read, of ``total`` (those between the group's committed offsets
    /// and the end offsets taken at start).
    public var read: Int
    /// Letters to read in all.
    public var total: Int
    /// Letters sent back so far (in a dry run: that would have been).
    public var replayed: Int
    /// Letters the filter left out so far.
    public var skipped: Int
    /// Time since the replay started.
    public var elapsed: Duration

    /// The part of the letters read.
    public var fraction: Double? { total > 0 ? min(1, Double(read) / Double(total)) : nil }

    /// Counts and rate, one line for people.
    public var status: String {
        "read=\(read)/\(total) replayed=\(replayed) skipped=\(skipped) "
            + "letters/s=\(Formatting.rate(read, seconds: elapsed.seconds))"
    }
}
