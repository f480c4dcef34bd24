import CreatePipeline

/// Decides whether the caller of a create request may create the profile it sends: the seam
/// where the same bearer-token verifier that checks events checks HTTP requests.
///
/// It answers in two steps, so that a caller without a valid token costs no body:
/// 1. ``authenticate(authorization:)`` before the body is read: the token alone (and any
///    check that needs nothing else, such as its permission). A refusal is answered at once
///    (normally 401, or 403 for a token without the permission), the body left unread and
///    the connection closed; the pipeline never runs.
/// 2. ``authorize(_:profile:)`` once the pipeline has made the entity: the checks that need
///    the body (its tenant, its vendor), normally 403. A body the pipeline rejects gets the
///    pipeline's 400 instead, to an authenticated caller only.
public protocol CreateAuthorizer: Sendable {
    /// Who the token says the caller is, carried from step 1 to step 2.
    associatedtype Caller: Sendable

    /// - Parameter authorization: the `Authorization` header's value (e.g. `Bearer eyJ…`), nil when absent.
    /// - Returns: the caller, or the error to answer with (``GraphError/unauthorized(_:)``, 401,
    ///   or ``GraphError/forbidden(_:)``, 403).
    func authenticate(authorization: String?) async -> Result<Caller, GraphError>

    /// - Parameter profile: the valid body's tenant and vendor.
    /// - Returns: nil to let the request through; otherwise the error to answer with, normally 403.
    func authorize(_ caller: Caller, profile: ProfileOwnership) -> GraphError?
}

/// An authenticated request's remaining check: the body's tenant and vendor.
typealias ProfileCheck = @Sendable (ProfileOwnership) -> GraphError?

extension CreateAuthorizer {
    /// Step 1, with step 2 bound to the caller it found.
    func admit(authorization: String?) async -> Result<ProfileCheck, GraphError> {
        await authenticate(authorization: authorization).map { caller in
            { profile in authorize(caller, profile: profile) }
        }
    }
}
