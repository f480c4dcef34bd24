/// How much of a dead letter is left out so that it can be published, in the
/// contract's order ("Outbound records"): each shape leaves out what the ones
/// before it did, and more.
enum DeadLetterShape: Int, Sendable, Comparable, CaseIterable {
    /// Key, value and inbound headers byte for byte.
    case whole
    /// Without the value (`error-value-omitted: <its length>`).
    case withoutValue
    /// Without the value and the inbound headers (`error-headers-omitted: <their count>`).
    case withoutHeaders
    /// Without value, inbound headers and key (`error-key-omitted: <its length>`).
    case withoutKey
    /// As `withoutKey`, and the `error` body without `details`, its message, target and
    /// client-request-id cut to ``DeadLetterFitting/shortenedTextLength`` characters
    /// (`error-shortened: <the full body's length>`). Only for an error body that alone
    /// is too large (property names of hostile bodies are echoed in it); the contract's
    /// three steps stop there, and a partition must not.
    case shortenedError

    static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The next smaller shape, if any.
    var smaller: DeadLetterShape? { DeadLetterShape(rawValue: rawValue + 1) }
}
