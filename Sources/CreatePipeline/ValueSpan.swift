/// Where one validated value sits in the body, so the entity can echo its bytes.
struct ValueSpan {
    enum Kind {
        case absent
        case null
        case string
        case array
        case object
    }

    var kind: Kind
    /// First byte of the value (the opening quote for a string).
    var start: Int
    /// One past the value's last byte.
    var end: Int
    /// For strings: whether the raw bytes contain escapes (the decoded value differs from them).
    var hasEscapes: Bool

    static let absent = ValueSpan(kind: .absent, start: 0, end: 0, hasEscapes: false)

    var isAbsentOrNull: Bool { kind == .absent || kind == .null }
}
