import Authentication

/// Whom the worker believes about who sent an event.
public enum EventAuthentication: Sendable {
    /// Every record must carry `authorization: Bearer <JWT>`, checked by `AccessControl`:
    /// 401 and 403 failures are dead-lettered like any rejection. The command's default.
    case bearerToken(AccessControl)
    /// No token is checked: whoever may write to the input topic may create profiles in any
    /// tenant, so the broker's ACLs are the only guard.
    case none
}
