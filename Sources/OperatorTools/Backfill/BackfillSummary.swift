/// What a finished backfill did.
public struct BackfillSummary: Sendable, Equatable, CustomStringConvertible {
    /// Lines read, blank and oversized ones included.
    public var lines: Int
    /// Records produced and acknowledged (`acks=all`): one per line with content.
    public var produced: Int
    /// Empty lines, or lines of spaces and tabs: nothing to create, not produced.
    public var skippedBlank: Int
    /// Lines longer than the limit (or than the producer's `message.max.bytes`),
    /// not produced, in file order (the first ``maximumListedLines`` of them;
    /// ``oversizedCount`` counts all).
    public var oversizedLines: [Int]
    /// How many lines were too large.
    public var oversizedCount: Int
    /// Bytes of the input after decompression, newlines included.
    public var bytes: Int64
    /// Wall-clock seconds from start to the last acknowledgement.
    public var seconds: Double

    /// How many oversized line numbers are kept for the report.
    public static let maximumListedLines = 100

    /// Acknowledged records per second.
    public var recordsPerSecond: Int { Formatting.rate(produced, seconds: seconds) }

    /// `lines=… produced=… skipped-blank=… oversized=… bytes=… seconds=… records/s=…`
    public var description: String {
        "lines=\(lines) produced=\(produced) skipped-blank=\(skippedBlank) oversized=\(oversizedCount) "
            + "bytes=\(bytes) seconds=\(Formatting.decimal(seconds, digits: 3)) records/s=\(recordsPerSecond)"
    }
}
