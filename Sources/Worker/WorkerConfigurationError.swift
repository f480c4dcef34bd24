/// A configuration `usp-worker run` refuses before it connects anywhere. The code
/// is stable; the message names the property or flag and says what to do instead.
public struct WorkerConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The stable code, e.g. `WEAKENING_PROPERTY`.
    public let code: String
    /// What is wrong, for people; names the property.
    public let message: String

    public var description: String { "\(code): \(message)" }

    /// A librdkafka property set to a value that would weaken the delivery promises.
    static func weakeningProperty(_ key: String, value: String, why: String, instead: String)
        -> WorkerConfigurationError
    {
        WorkerConfigurationError(
            code: "WEAKENING_PROPERTY",
            message: "\(key)=\(value) is refused: \(why). Use \(instead).")
    }
}
