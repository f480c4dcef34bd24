#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An instant, printed the way Graph prints entity timestamps: UTC, seven fractional
/// digits and `Z`, e.g. `2017-01-01T00:00:46.1690000Z`.
///
/// Stored as 100-nanosecond ticks since the Unix epoch (the resolution of the printed
/// form). Values are clamped to the years 0001–9999 so the printed form always has the
/// four-digit year that Graph's DateTimeOffset pattern demands.
public struct GraphTimestamp: Sendable, Hashable, Comparable {
    /// 100-nanosecond ticks since 1970-01-01T00:00:00Z.
    public let ticksSinceUnixEpoch: Int64

    static let ticksPerSecond: Int64 = 10_000_000
    static let ticksPerDay: Int64 = 86_400 * ticksPerSecond
    /// 0001-01-01T00:00:00.0000000Z
    static let minimumTicks: Int64 = -62_135_596_800 * ticksPerSecond
    /// 9999-12-31T23:59:59.9999999Z
    static let maximumTicks: Int64 = 253_402_300_800 * ticksPerSecond - 1

    /// The instant `ticks` 100-nanosecond intervals after the Unix epoch, clamped to 0001–9999.
    public init(ticksSinceUnixEpoch ticks: Int64) {
        ticksSinceUnixEpoch = min(max(ticks, Self.minimumTicks), Self.maximumTicks)
    }

    /// The instant `unixMilliseconds` after the Unix epoch (a Kafka record timestamp).
    public init(unixMilliseconds: Int64) {
        let (ticks, overflow) = unixMilliseconds.multipliedReportingOverflow(by: 10_000)
        self.init(ticksSinceUnixEpoch: overflow ? (unixMilliseconds < 0 ? .min : .max) : ticks)
    }

    /// The instant `unixNanoseconds` after the Unix epoch, truncated to 100 ns (towards the past).
    public init(unixNanoseconds: Int64) {
        let (quotient, remainder) = unixNanoseconds.quotientAndRemainder(dividingBy: 100)
        self.init(ticksSinceUnixEpoch: remainder < 0 ? quotient - 1 : quotient)
    }

    /// The current wall-clock time.
    public static func now() -> GraphTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let nanoseconds = Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
        return GraphTimestamp(unixNanoseconds: nanoseconds)
    }

    /// The printed form, e.g. `2017-01-01T00:00:46.1690000Z` (always 28 bytes).
    public var formatted: String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.formattedLength) { buffer in
            write(into: buffer.baseAddress!)
            return String(decoding: UnsafeBufferPointer(buffer), as: UTF8.self)
        }
    }

    public static func < (lhs: GraphTimestamp, rhs: GraphTimestamp) -> Bool {
        lhs.ticksSinceUnixEpoch < rhs.ticksSinceUnixEpoch
    }

    static let formattedLength = 28

    /// Writes the 28 bytes of `formatted` at `destination`.
    func write(into destination: UnsafeMutablePointer<UInt8>) {
        var days = ticksSinceUnixEpoch / Self.ticksPerDay
        var ticksOfDay = ticksSinceUnixEpoch % Self.ticksPerDay
        if ticksOfDay < 0 {
            days -= 1
            ticksOfDay += Self.ticksPerDay
        }
        let date = CivilDate(daysSinceUnixEpoch: days)
        let secondsOfDay = Int(ticksOfDay / Self.ticksPerSecond)
        let fraction = Int(ticksOfDay % Self.ticksPerSecond)

        func put(_ value: Int, digits: Int, at offset: Int) {
            var value = value
            var index = offset + digits - 1
            while index >= offset {
                destination[index] = UInt8(truncatingIfNeeded: 0x30 + value % 10)
                value /= 10
                index -= 1
            }
        }
        put(date.year, digits: 4, at: 0)
        destination[4] = UInt8(ascii: "-")
        put(date.month, digits: 2, at: 5)
        destination[7] = UInt8(ascii: "-")
        put(date.day, digits: 2, at: 8)
        destination[10] = UInt8(ascii: "T")
        put(secondsOfDay / 3600, digits: 2, at: 11)
        destination[13] = UInt8(ascii: ":")
        put(secondsOfDay / 60 % 60, digits: 2, at: 14)
        destination[16] = UInt8(ascii: ":")
        put(secondsOfDay % 60, digits: 2, at: 17)
        destination[19] = UInt8(ascii: ".")
        put(fraction, digits: 7, at: 20)
        destination[27] = UInt8(ascii: "Z")
    }
}

/// A date of the proleptic Gregorian calendar.
struct CivilDate: Equatable {
    var year: Int
    var month: Int
    var day: Int

    /// Converts a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
    init(daysSinceUnixEpoch: Int64) {
        let z = Int(daysSinceUnixEpoch) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
