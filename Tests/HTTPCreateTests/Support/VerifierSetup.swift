import AuthenticationTestSupport
import HTTPCreate
import SampleTokens

/// The verifier that checks events (`AccessControl` behind `AccessControlAuthorizer`, as
/// `usp-worker run --auth jwt` wires it), with fresh keys, and tokens signed with them.
struct VerifierSetup {
    static let permission = TestVerifier.permission

    let tokens: TestTokens
    let authorizer: AccessControlAuthorizer
    /// Holds the JWKS file; `remove()` it when done.
    let folder: TestFolder

    static func start() async throws -> VerifierSetup {
        let verifier = try await TestVerifier.start()
        let authorizer = AccessControlAuthorizer(access: verifier.access)
        return VerifierSetup(tokens: verifier.tokens, authorizer: authorizer, folder: verifier.folder)
    }
}
