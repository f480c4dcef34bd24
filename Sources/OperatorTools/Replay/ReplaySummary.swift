/// Where a running replay is.
public struct ReplayProgress: ProgressReport, Equatable {
    /// Letters read, of ``total`` (those between the group's committed offsets
    /// and the end offsets taken at start).
    public var read: Int
    public var total: Int
    public var replayed: Int
    public var skipped: Int
    public var elapsed: Duration

    public var fraction: Double? { total > 0 ? min(1, Double(read) / Double(total)) : nil }

    public var status: String {
        "read=\(read)/\(total) replayed=\(replayed) skipped=\(skipped) "
            + "letters/s=\(Formatting.rate(read, seconds: elapsed.inSeconds))"
    }
}

/// What a finished replay did.
public struct ReplaySummary: Sendable, Equatable, CustomStringConvertible {
    /// Letters read from the dead-letter topic.
    public var read: Int
    /// Letters sent back to the inbound topic and acknowledged (with
    /// ``dryRun``: that would have been).
    public var replayed: Int
    /// Letters the filter left out (their offsets are committed too).
    public var skipped: Int
    /// Replayed letters by their `error-code` (`-` for none).
    public var replayedByCode: [String: Int]
    /// The consumer group whose offsets were committed.
    public var group: String
    public var dryRun: Bool
    public var seconds: Double

    /// `read=… replayed=… skipped=… seconds=… group=… by-code=A:1,B:2`, with `dry-run` first when it was one.
    public var description: String {
        let codes = replayedByCode.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
        return (dryRun ? "dry-run " : "")
            + "read=\(read) replayed=\(replayed) skipped=\(skipped) seconds=\(Formatting.decimal(seconds, digits: 3)) "
            + "group=\(group) by-code=\(codes.isEmpty ? "-" : codes)"
    }
}
