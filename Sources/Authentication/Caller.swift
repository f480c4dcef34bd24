import struct Foundation.Date

/// Who sent a request, as its verified token says.
public struct Caller: Sendable, Hashable {
    /// `tid`: the tenant the token was issued in; requests may only write for it.
    public let tenantID: String?
    /// `sub`.
    public let subject: String?
    /// `oid`: the user's or the service principal's object id.
    public let objectID: String?
    /// `appid` (v1 tokens) or `azp` (v2 tokens): the client application.
    public let applicationID: String?
    /// `scp`, split on spaces: delegated permissions.
    public let scopes: [String]
    /// `roles`: application permissions.
    public let roles: [String]
    /// `exp`.
    public let expiresAt: Date
    /// `nbf`, when the token has one.
    public let notBefore: Date?

    public init(
        tenantID: String?, subject: String?, objectID: String?, applicationID: String?,
        scopes: [String], roles: [String], expiresAt: Date, notBefore: Date?
    ) {
        self.tenantID = tenantID
        self.subject = subject
        self.objectID = objectID
        self.applicationID = applicationID
        self.scopes = scopes
        self.roles = roles
        self.expiresAt = expiresAt
        self.notBefore = notBefore
    }

    /// Whether the token grants `permission`, delegated (`scp`) or as an application (`roles`).
    public func holds(_ permission: String) -> Bool {
        scopes.contains(permission) || roles.contains(permission)
    }

    /// The ids an allow-list entry may name this caller by: `oid`, `sub`, `appid`/`azp`.
    public var identifiers: [String] {
        [objectID, subject, applicationID].compactMap { $0 }
    }
}
