import AuthenticationTestSupport
import Foundation
import SampleTokens
import Testing

@testable import Authentication

/// New keys are picked up without a restart: a replaced JWKS file, a JWKS URL that starts
/// answering with a new key, a replaced HS256 secret.
@Suite struct KeyRotationTests {
    @Test func aReplacedJWKSFileIsPickedUpAndItsRemovedKeyStopsVerifying() async throws {
        let (old, new) = (try TestKeys(), try TestKeys())
        let folder = try TestFolder()
        defer { folder.remove() }
        let access = try await AccessControl.start(
            AuthenticationConfiguration(
                jwksFile: try folder.write("jwks.json", try old.jwks()), issuers: [TestTokens.issuer],
                audiences: [TestTokens.audience], keyRefresh: KeyRefreshPolicy(fileCheckInterval: .milliseconds(50))),
            logger: quietLogger)
        let oldToken = "Bearer \(try await TestTokens(keys: old).token(signedWith: .rsa))"
        let newToken = "Bearer \(try await TestTokens(keys: new).token(signedWith: .ec))"
        #expect(await onOwnThread { synchronousVerdict(access, oldToken) }.isAccepted)
        #expect(await onOwnThread { synchronousVerdict(access, newToken) }.reason == .unknownKey)

        try folder.write("jwks.json", try new.jwks())
        // The first token naming the new key finds the file changed and waits for the reload.
        #expect(await onOwnThread { synchronousVerdict(access, newToken) }.isAccepted)
        try await Task.sleep(for: .milliseconds(100))
        #expect(
            await onOwnThread { synchronousVerdict(access, oldToken) }.reason == .unknownKey,
            "the key no longer in the file no longer verifies, though its token was accepted (and cached) before")
    }

    @Test func aJWKSURLThatStartsAnsweringWithANewKeyIsPickedUp() async throws {
        let (old, new) = (try TestKeys(), try TestKeys())
        let server = try await LoopbackJWKSServer(document: try old.jwks())
        let access = try await AccessControl.start(
            AuthenticationConfiguration(
                jwksURL: server.url, issuers: [TestTokens.issuer], audiences: [TestTokens.audience],
                keyRefresh: KeyRefreshPolicy(minimumInterval: .milliseconds(300))),
            logger: quietLogger)
        let oldToken = "Bearer \(try await TestTokens(keys: old).token(signedWith: .ec))"
        let newToken = "Bearer \(try await TestTokens(keys: new).token(signedWith: .rsa))"
        #expect(await onOwnThread { synchronousVerdict(access, oldToken) }.isAccepted)
        #expect(server.requestCount == 1)

        server.serve(try TestKeys.jwks(of: [old, new]))
        try await Task.sleep(for: .milliseconds(400))
        // Blocking (the worker's thread) and suspending (an HTTP handler) callers both get it.
        #expect(await onOwnThread { synchronousVerdict(access, newToken) }.isAccepted)
        let caller = try await access.authenticate(authorization: newToken)
        #expect(caller.tenantID == TestTokens.tenantA)
        #expect(server.requestCount == 2)
        await server.stop()
    }

    @Test func randomKeyIDsFetchTheURLAtMostOncePerMinimumInterval() async throws {
        let keys = try TestKeys()
        let server = try await LoopbackJWKSServer(document: try keys.jwks())
        let access = try await AccessControl.start(
            AuthenticationConfiguration(
                jwksURL: server.url, issuers: [TestTokens.issuer], audiences: [TestTokens.audience],
                keyRefresh: KeyRefreshPolicy(minimumInterval: .seconds(600))),
            logger: quietLogger)
        let tokens = TestTokens(keys: keys)
        let start = ContinuousClock.now
        let refused = await onOwnThread {
            (0..<500).filter { index in
                let token = try? tokens.rsaSigned(header: #"{"alg":"RS256","kid":"attacker-\#(index)"}"#)
                return synchronousVerdict(access, token.map { "Bearer \($0)" }).reason == .unknownKey
            }.count
        }
        #expect(refused == 500)
        #expect(server.requestCount == 1, "only the start's fetch: the rate limit held (\(server.requestCount))")
        #expect(ContinuousClock.now - start < .seconds(10), "no token waited for a fetch")
        await server.stop()
    }

    @Test func anUnreachableURLLeavesTheKeysInUseAndTheTokenWaitsAtMostTheBound() async throws {
        let keys = try TestKeys()
        let server = try await LoopbackJWKSServer(document: try keys.jwks())
        let access = try await AccessControl.start(
            AuthenticationConfiguration(
                jwksURL: server.url, issuers: [TestTokens.issuer], audiences: [TestTokens.audience],
                keyRefresh: KeyRefreshPolicy(minimumInterval: .zero, waitTimeout: .seconds(2))),
            logger: quietLogger)
        await server.stop()
        let unknown = "Bearer \(try await TestTokens(keys: TestKeys()).token())"
        let start = ContinuousClock.now
        #expect(await onOwnThread { synchronousVerdict(access, unknown) }.reason == .unknownKey)
        #expect(ContinuousClock.now - start < .seconds(4))
        let known = "Bearer \(try await TestTokens(keys: keys).token())"
        #expect(await onOwnThread { synchronousVerdict(access, known) }.isAccepted)
    }

    @Test func aReplacedSecretFileIsPickedUp() async throws {
        let fixture = try await Fixture.make(jwksFile: false)
        let newSecret = Array("a brand new shared secret, 32 bytes or more".utf8)
        let token = try TestTokens.hmacSigned(header: #"{"alg":"HS256","typ":"JWT"}"#, secret: newSecret)
        #expect(await onOwnThread { fixture.verdict("Bearer \(token)") }.reason == .invalidSignature)
        try fixture.folder.write("hs256.secret", newSecret + [0x0A])
        #expect(await onOwnThread { fixture.verdict("Bearer \(token)") }.isAccepted)
    }
}
