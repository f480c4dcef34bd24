import CreatePipeline

/// Why a request was refused: 401 `InvalidAuthenticationToken` when the token does not
/// authenticate, 403 `Forbidden` when it does but does not allow this request.
///
/// Messages say what was wrong with the token but never hold the token (nor any secret),
/// so the error can go to a dead-letter topic, a response body or a log.
public struct AccessDenied: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable name for each failure class, for metrics and tests.
    public enum Reason: String, Sendable, CaseIterable {
        // 401
        case missingToken = "MissingToken"
        case malformedToken = "MalformedToken"
        case algorithmNotAccepted = "AlgorithmNotAccepted"
        case unknownKey = "UnknownSigningKey"
        case invalidSignature = "InvalidSignature"
        case expired = "TokenExpired"
        case notYetValid = "TokenNotYetValid"
        case invalidIssuer = "InvalidIssuer"
        case invalidAudience = "InvalidAudience"
        // 403
        case missingPermission = "MissingPermission"
        case tenantMismatch = "TenantMismatch"
        case callerNotAllowed = "CallerNotAllowed"
        case tenantNotAllowed = "TenantNotAllowed"
        case vendorNotAllowed = "VendorNotAllowed"

        /// Whether the token failed to authenticate (401) rather than to authorize (403).
        public var isAuthentication: Bool {
            switch self {
            case .missingToken, .malformedToken, .algorithmNotAccepted, .unknownKey, .invalidSignature, .expired,
                .notYetValid, .invalidIssuer, .invalidAudience:
                true
            case .missingPermission, .tenantMismatch, .callerNotAllowed, .tenantNotAllowed, .vendorNotAllowed:
                false
            }
        }
    }

    public let reason: Reason
    /// For people; may change.
    public let message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// 401 or 403.
    public var status: Int { reason.isAuthentication ? 401 : 403 }

    /// The Graph error to answer with (`InvalidAuthenticationToken` or `Forbidden`), as
    /// every front end (dead letter, HTTP response) reports it.
    public var graphError: GraphError {
        reason.isAuthentication ? .unauthorized(message) : .forbidden(message)
    }

    public var description: String { "\(status) \(reason.rawValue): \(message)" }
}

extension AccessDenied {
    /// No `authorization` header, or an empty one.
    public static let missingToken = AccessDenied(
        .missingToken, "Access token is empty: an 'authorization: Bearer <token>' header is required.")
    /// More than one `authorization` header: which one counts would be ambiguous.
    public static let repeatedAuthorizationHeader = AccessDenied(
        .malformedToken, "The request carries more than one authorization header.")

    static func malformed(_ why: String) -> AccessDenied {
        AccessDenied(.malformedToken, "Access token is malformed: \(why).")
    }
}
