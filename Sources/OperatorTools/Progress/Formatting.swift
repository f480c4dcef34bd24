import Foundation

/// Number formats for progress lines and summaries.
enum Formatting {
    /// `value` with `digits` decimals, e.g. `12.5`.
    static func decimal(_ value: Double, digits: Int = 1) -> String {
        String(format: "%.\(digits)f", value)
    }

    /// Bytes in MiB with one decimal, e.g. `35.2 MiB`.
    static func mebibytes(_ bytes: Int64) -> String {
        decimal(Double(bytes) / 1_048_576) + " MiB"
    }

    /// A per-second rate of `count` over `seconds` (0 for no time).
    static func rate(_ count: Int, seconds: Double) -> Int {
        seconds > 0 ? Int((Double(count) / seconds).rounded()) : 0
    }

    /// A duration as `1h02m03s`, `2m03s` or `3s`.
    static func clock(seconds: Double) -> String {
        let total = Int(seconds.rounded(.up))
        let (hours, minutes, rest) = (total / 3600, total % 3600 / 60, total % 60)
        let two = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
        if hours > 0 { return "\(hours)h\(two(minutes))m\(two(rest))s" }
        if minutes > 0 { return "\(minutes)m\(two(rest))s" }
        return "\(rest)s"
    }
}
