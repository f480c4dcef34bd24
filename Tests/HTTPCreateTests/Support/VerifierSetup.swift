import Authentication
import AuthenticationTestSupport
import HTTPCreate
import Logging
import SampleTokens

/// The verifier that checks events (`AccessControl` behind `AccessControlAuthorizer`, as
/// `usp-worker run --auth jwt` wires it), with fresh keys in a JWKS file, and tokens signed
/// with those keys.
struct VerifierSetup {
    static let permission = "SecurityEvents.ReadWrite.All"

    let tokens: TestTokens
    let authorizer: AccessControlAuthorizer
    /// Holds the JWKS file; `remove()` it when done.
    let folder: TestFolder

    static func start() async throws -> VerifierSetup {
        let keys = try TestKeys()
        let folder = try TestFolder()
        let access = try await AccessControl.start(
            AuthenticationConfiguration(
                jwksFile: try folder.write("jwks.json", try keys.jwks()),
                issuers: [TestTokens.issuer], audiences: [TestTokens.audience]),
            logger: Logger(label: "access"))
        return VerifierSetup(
            tokens: TestTokens(keys: keys), authorizer: AccessControlAuthorizer(access: access), folder: folder)
    }
}
