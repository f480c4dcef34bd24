#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one conversion of `Duration` to plain numbers, for every module: librdkafka
/// timeouts and `….ms` properties, rates, logs and `TimeInterval`s.
extension Duration {
    /// This duration in seconds, fraction included.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Whole milliseconds, rounded up (a positive duration never becomes 0, which a
    /// timeout would read as "do not wait"); 0 for a zero or negative duration.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        return seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    }

    /// Whole nanoseconds, rounded down (timers record these).
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// ``milliseconds`` clamped to Int32, for librdkafka timeouts.
    var timeoutMilliseconds: Int32 { Int32(clamping: milliseconds) }
}

/// Writes to standard error without buffering (librdkafka writes its logs there too).
func writeStandardError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}

extension String {
    /// The NUL-terminated text in a C character buffer (an `errstr` filled by librdkafka).
    init(cBuffer buffer: [CChar]) {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        self = String(decoding: bytes, as: UTF8.self)
    }
}
