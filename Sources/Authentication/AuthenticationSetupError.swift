/// Why authentication could not be set up: a configuration that cannot work, or keys
/// (or an allow-list) that cannot be read. The code is stable; the message is for people
/// and never holds a secret.
public struct AuthenticationSetupError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Code: String, Sendable {
        case noKeySource = "NO_KEY_SOURCE"
        case missingIssuer = "MISSING_ISSUER"
        case missingAudience = "MISSING_AUDIENCE"
        case invalidSetting = "INVALID_SETTING"
        case keysUnavailable = "KEYS_UNAVAILABLE"
        case allowListInvalid = "ALLOW_LIST_INVALID"
    }

    let code: Code
    /// What is wrong, for people.
    public let message: String

    /// The stable code, e.g. `NO_KEY_SOURCE`.
    public var codeName: String { code.rawValue }
    public var description: String { "\(code.rawValue): \(message)" }

    static let noKeySource = AuthenticationSetupError(
        code: .noKeySource,
        message:
            "token authentication needs a key source: give --jwks-url, --jwks-file or --hs256-secret-file (or --auth none to trust the broker's ACLs)"
    )
    static let missingIssuer = AuthenticationSetupError(
        code: .missingIssuer, message: "token authentication needs the accepted issuer: give --issuer")
    static let missingAudience = AuthenticationSetupError(
        code: .missingAudience,
        message:
            "token authentication needs the accepted audience (this service's application id or URI): give --audience")

    static func invalidSetting(_ message: String) -> AuthenticationSetupError {
        AuthenticationSetupError(code: .invalidSetting, message: message)
    }

    /// A key source could not be read, fetched or understood, or held no usable key.
    static func keysUnavailable(_ source: KeySource, _ reason: String) -> AuthenticationSetupError {
        AuthenticationSetupError(code: .keysUnavailable, message: "\(source): \(reason)")
    }

    static func allowListInvalid(_ path: String, _ reason: String) -> AuthenticationSetupError {
        AuthenticationSetupError(code: .allowListInvalid, message: "tenant allow-list \(path): \(reason)")
    }
}
