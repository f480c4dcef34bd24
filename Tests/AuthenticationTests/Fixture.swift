import AuthenticationTestSupport
import Foundation
import Logging
import SampleTokens
import Testing

@testable import Authentication

/// Access control over keys made for the test: a JWKS file with an RSA and a P-256 key, and
/// an HS256 secret file, with the test issuer and audience.
struct Fixture {
    let keys: TestKeys
    let tokens: TestTokens
    let folder: TestFolder
    let access: AccessControl

    static func make(
        secret: Bool = true, jwksFile: Bool = true,
        _ configure: (inout AuthenticationConfiguration, TestFolder) throws -> Void = { _, _ in }
    ) async throws -> Fixture {
        let keys = try TestKeys()
        let folder = try TestFolder()
        var configuration = AuthenticationConfiguration(issuers: [TestTokens.issuer], audiences: [TestTokens.audience])
        if jwksFile { configuration.jwksFile = try folder.write("jwks.json", try keys.jwks()) }
        if secret { configuration.hs256SecretFile = try folder.write("hs256.secret", keys.secret) }
        try configure(&configuration, folder)
        let access = try await AccessControl.start(configuration, logger: quietLogger)
        return Fixture(keys: keys, tokens: TestTokens(keys: keys), folder: folder, access: access)
    }

    /// The synchronous verdict (as the worker's polling thread gets it).
    func verdict(_ authorization: String?) -> Result<Caller, AccessDenied> {
        synchronousVerdict(access, authorization)
    }

    func bearer(_ claims: TestClaims = TestClaims(), signedWith signer: TestTokens.Signer = .rsa) async throws -> String
    {
        "Bearer \(try await tokens.token(claims, signedWith: signer))"
    }
}

let quietLogger: Logger = {
    var logger = Logger(label: "authentication-test")
    logger.logLevel = .critical
    return logger
}()

/// Calls the blocking overload (from a non-async function, so it is the one chosen).
func synchronousVerdict(_ access: AccessControl, _ authorization: String?) -> Result<Caller, AccessDenied> {
    Result { () throws(AccessDenied) in try access.authenticate(authorization: authorization) }
}

/// Runs `body` on a thread of its own, as the worker's polling thread is, and returns its result.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.start()
    }
}

extension Result where Failure == AccessDenied {
    /// The refusal's reason, or nil when accepted.
    var reason: AccessDenied.Reason? {
        if case .failure(let denial) = self { return denial.reason }
        return nil
    }

    var isAccepted: Bool {
        if case .success = self { return true }
        return false
    }
}
