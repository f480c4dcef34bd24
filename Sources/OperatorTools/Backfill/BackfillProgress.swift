import Kafka

/// Where a running backfill is: what it has read, produced and had acknowledged.
public struct BackfillProgress: ProgressReport, Equatable {
    /// Lines read so far (blank and oversized ones included).
    public var lines: Int
    /// Records enqueued to the producer.
    public var produced: Int
    /// Records the brokers acknowledged (`acks=all`).
    public var acknowledged: Int
    /// Bytes of the file behind the lines read so far, as stored (compressed for gzip).
    public var fileBytesRead: Int64
    /// The file's size, when it is a regular file.
    public var fileSize: Int64?
    /// Time since the backfill started.
    public var elapsed: Duration

    /// The part of the file read (0…1), when its size is known.
    public var fraction: Double? {
        guard let fileSize, fileSize > 0 else { return nil }
        return min(1, Double(fileBytesRead) / Double(fileSize))
    }

    /// One line for people, most telling first (a terminal clips the end):
    /// time left (with a known size), lines, acknowledgements, rate, bytes.
    public var status: String {
        let seconds = elapsed.seconds
        var text = ""
        if let fraction, fraction > 0.01, fraction < 1 {
            text += "left=" + Formatting.clock(seconds: seconds * (1 - fraction) / fraction) + " "
        }
        text +=
            "lines=\(lines) acknowledged=\(acknowledged)/\(produced) "
            + "records/s=\(Formatting.rate(acknowledged, seconds: seconds)) read=" + Formatting.mebibytes(fileBytesRead)
        if let fileSize { text += "/" + Formatting.mebibytes(fileSize) }
        return text
    }
}
