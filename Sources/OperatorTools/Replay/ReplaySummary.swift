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
    /// Whether nothing was sent or committed.
    public var dryRun: Bool
    /// Wall-clock seconds from start to the last commit.
    public var seconds: Double

    /// `read=… replayed=… skipped=… seconds=… group=… by-code=A:1,B:2`, with `dry-run` first when it was one.
    public var description: String {
        let codes = replayedByCode.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
        return (dryRun ? "dry-run " : "")
            + "read=\(read) replayed=\(replayed) skipped=\(skipped) seconds=\(Formatting.decimal(seconds, digits: 3)) "
            + "group=\(group) by-code=\(codes.isEmpty ? "-" : codes)"
    }
}
