import Kafka

/// What a finished replay did.
public struct ReplaySummary: Sendable, Equatable, CustomStringConvertible {
    /// A letter that was published without parts (too large to publish whole) and
    /// could not be completed: its source record is no longer in the inbound topic.
    public struct SourceGone: Sendable, Equatable, Error, CustomStringConvertible {
        /// Where the letter is in the dead-letter topic (it stays there).
        public var letter: TopicPartitionOffset
        /// Where its source record was, when the letter says.
        public var source: TopicPartitionOffset?
        /// Why the source record cannot be read.
        public var reason: String

        public var description: String {
            "\(letter) (source \(source.map(\.description) ?? "unknown"): \(reason))"
        }
    }

    /// Letters read from the dead-letter topic.
    public var read: Int
    /// Letters sent back to the inbound topic and acknowledged (with
    /// ``dryRun``: that would have been).
    public var replayed: Int
    /// Letters the filter left out (their offsets are committed too).
    public var skipped: Int
    /// Replayed letters by their `error-code` (`-` for none).
    public var replayedByCode: [String: Int]
    /// Letters not replayed because the parts the worker left out are gone with their
    /// source record; counted in ``read``, neither replayed nor skipped.
    public var sourceGone: [SourceGone] = []
    /// The consumer group whose offsets were committed.
    public var group: String
    /// Whether nothing was sent or committed.
    public var dryRun: Bool
    /// Wall-clock seconds from start to the last commit.
    public var seconds: Double

    /// `read=… replayed=… skipped=… seconds=… group=… by-code=A:1,B:2`, with `dry-run` first when it
    /// was one and `source-gone=N` last when letters could not be completed.
    public var description: String {
        let codes = replayedByCode.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
        return (dryRun ? "dry-run " : "")
            + "read=\(read) replayed=\(replayed) skipped=\(skipped) seconds=\(Formatting.decimal(seconds, digits: 3)) "
            + "group=\(group) by-code=\(codes.isEmpty ? "-" : codes)"
            + (sourceGone.isEmpty ? "" : " source-gone=\(sourceGone.count)")
    }
}
