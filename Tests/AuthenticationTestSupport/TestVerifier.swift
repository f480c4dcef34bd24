import Authentication
import Logging
import SampleTokens

/// `AccessControl` as `usp-worker run --auth jwt` starts it, over fresh keys in a JWKS file
/// (the test issuer and audience), and tokens signed with those keys.
public struct TestVerifier: Sendable {
    /// The permission a token needs to create profiles.
    public static let permission = "SecurityEvents.ReadWrite.All"

    public let access: AccessControl
    public let tokens: TestTokens
    /// Holds the JWKS file; `remove()` it when done.
    public let folder: TestFolder

    public static func start() async throws -> TestVerifier {
        let keys = try TestKeys()
        let folder = try TestFolder()
        let access = try await AccessControl.start(
            AuthenticationConfiguration(
                jwksFile: try folder.write("jwks.json", try keys.jwks()),
                issuers: [TestTokens.issuer], audiences: [TestTokens.audience]),
            logger: Logger(label: "access"))
        return TestVerifier(access: access, tokens: TestTokens(keys: keys), folder: folder)
    }
}
