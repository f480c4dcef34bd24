/// One problem found in a request body.
public struct GraphErrorDetail: Sendable, Hashable {
    /// A stable code; for bodies, one of `ProblemCode`'s raw values.
    public let code: String
    /// For people; may change.
    public let message: String
    /// The offending property's path, or nil when the problem is not about one property.
    public let target: String?

    public init(code: String, message: String, target: String? = nil) {
        self.code = code
        self.message = message
        self.target = target
    }

    init(_ code: ProblemCode, _ message: String, target: String?) {
        self.init(code: code.rawValue, message: message, target: target)
    }
}
