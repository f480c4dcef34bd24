import CreatePipeline

/// Decides whether the caller of a create request may create the profile it sends: the seam
/// where the same bearer-token verifier that checks events checks HTTP requests.
///
/// The endpoint calls it once for every request that passed the media type and size checks,
/// after the pipeline has run, and answers with its error when it returns one. So a caller
/// without a valid token gets 401 whatever its body, and learns nothing about the body's
/// problems; an authenticated caller with a bad body gets the pipeline's 400.
public protocol CreateAuthorizer: Sendable {
    /// - Parameters:
    ///   - authorization: the `Authorization` header's value (e.g. `Bearer eyJ…`), nil when absent.
    ///   - profile: the body's tenant and vendor; nil when the pipeline rejected the body, so only
    ///     the token itself can be checked.
    /// - Returns: nil to let the request through; otherwise the error to answer with, normally
    ///   ``GraphError/unauthorized(_:)`` (401) or ``GraphError/forbidden(_:)`` (403).
    func authorize(authorization: String?, profile: ProfileOwnership?) async -> GraphError?
}
