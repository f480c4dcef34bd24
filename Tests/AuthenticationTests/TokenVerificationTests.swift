import AuthenticationTestSupport
import CreatePipeline
import Foundation
import SampleTokens
import Testing

@testable import Authentication

@Suite struct TokenVerificationTests {
    @Test(arguments: [TestTokens.Signer.rsa, .ec, .secret])
    func aValidTokenFromEachKeyTypeAuthenticates(signer: TestTokens.Signer) async throws {
        let fixture = try await Fixture.make()
        let caller = try fixture.verdict(try await fixture.bearer(signedWith: signer)).get()
        #expect(caller.tenantID == TestTokens.tenantA)
        #expect(caller.applicationID == "vendor-app-1")
        #expect(caller.holds("SecurityEvents.ReadWrite.All"))
    }

    @Test func theAsyncOverloadGivesTheSameVerdicts() async throws {
        let fixture = try await Fixture.make()
        let good = try await fixture.bearer(signedWith: .ec)
        let caller = try await fixture.access.authenticate(authorization: good)
        #expect(caller.subject == "subject-1")
        await #expect(throws: AccessDenied.self) {
            try await fixture.access.authenticate(authorization: "Bearer a.b.c")
        }
    }

    @Test func jwksKeysWithAnExplicitAlgAreUsedToo() async throws {
        let keys = try TestKeys()
        let folder = try TestFolder()
        defer { folder.remove() }
        let access = try await AccessControl.start(
            AuthenticationConfiguration(
                jwksFile: try folder.write("jwks.json", try keys.jwks(withAlgorithm: true)),
                issuers: [TestTokens.issuer], audiences: [TestTokens.audience]),
            logger: quietLogger)
        for signer in [TestTokens.Signer.rsa, .ec] {
            let token = try await TestTokens(keys: keys).token(signedWith: signer)
            #expect(synchronousVerdict(access, "Bearer \(token)").isAccepted)
        }
    }

    @Test func theSchemeIsMatchedWithoutRegardToCaseAndSpacesBeforeTheTokenAreSkipped() async throws {
        let fixture = try await Fixture.make()
        let token = try await fixture.tokens.token()
        #expect(fixture.verdict("bearer \(token)").isAccepted)
        #expect(fixture.verdict("BEARER   \(token)").isAccepted)
        #expect(fixture.verdict("Bearer \(token) ").reason == .malformedToken)
    }

    /// Each way a token can fail to authenticate is a 401 `InvalidAuthenticationToken`.
    @Test func eachAuthenticationFailureIs401WithItsReason() async throws {
        let fixture = try await Fixture.make()
        let now = Date().timeIntervalSince1970
        let cases: [(String, String?, AccessDenied.Reason)] = [
            ("no header", nil, .missingToken),
            ("empty header", "", .missingToken),
            ("scheme only", "Bearer ", .missingToken),
            ("another scheme", "Basic dXNlcjpwYXNz", .malformedToken),
            ("two parts", "Bearer abc.def", .malformedToken),
            ("four parts", "Bearer a.b.c.d", .malformedToken),
            ("not base64url", "Bearer a+b.c/d.e=", .malformedToken),
            ("header not JSON", "Bearer \(Base64URL.encode("nope")).\(Base64URL.encode("{}")).c2ln", .malformedToken),
            ("unsigned", "Bearer \(try TestTokens.unsigned())", .algorithmNotAccepted),
            (
                "tampered payload",
                try await tampered(fixture.tokens.token(), claims: TestClaims(tid: TestTokens.tenantB)),
                .invalidSignature
            ),
            ("expired", try await fixture.bearer(TestClaims(exp: now - 3_600)), .expired),
            ("not yet valid", try await fixture.bearer(TestClaims(nbf: now + 3_600)), .notYetValid),
            ("no expiry", try await fixture.bearer(TestClaims(exp: nil)), .malformedToken),
            ("wrong issuer", try await fixture.bearer(TestClaims(iss: "https://evil.test/")), .invalidIssuer),
            ("no issuer", try await fixture.bearer(TestClaims(iss: nil)), .invalidIssuer),
            ("wrong audience", try await fixture.bearer(TestClaims(aud: ["api://someone-else"])), .invalidAudience),
            ("no audience", try await fixture.bearer(TestClaims(aud: nil)), .invalidAudience),
            (
                "signed by a key not configured",
                "Bearer \(try await TestTokens(keys: TestKeys()).token(signedWith: .ec))", .unknownKey
            ),
            (
                "HS256 under another secret",
                "Bearer \(try TestTokens.hmacSigned(header: #"{"alg":"HS256"}"#, secret: Array("another secret, long enough to be used".utf8)))",
                .invalidSignature
            ),
        ]
        for (name, header, reason) in cases {
            let verdict = fixture.verdict(header)
            #expect(verdict.reason == reason, "\(name)")
            if case .failure(let denial) = verdict {
                #expect(denial.status == 401, "\(name)")
                #expect(denial.graphError.code == "InvalidAuthenticationToken", "\(name)")
                #expect(denial.graphError.status == 401, "\(name)")
            }
        }
    }

    @Test func clockSkewIsToleratedOnBothEnds() async throws {
        let fixture = try await Fixture.make { configuration, _ in configuration.clockSkew = .seconds(120) }
        let now = Date().timeIntervalSince1970
        #expect(fixture.verdict(try await fixture.bearer(TestClaims(exp: now - 60))).isAccepted)
        #expect(fixture.verdict(try await fixture.bearer(TestClaims(nbf: now + 60))).isAccepted)
        #expect(fixture.verdict(try await fixture.bearer(TestClaims(exp: now - 180))).reason == .expired)
        #expect(fixture.verdict(try await fixture.bearer(TestClaims(nbf: now + 180))).reason == .notYetValid)
    }

    @Test func anIssuerWithTheTenantPlaceholderAcceptsOnlyTheTokensOwnTenant() async throws {
        let pattern = "https://login.example.test/{tenantid}/v2.0"
        let fixture = try await Fixture.make { configuration, _ in configuration.issuers = [pattern] }
        let own = "https://login.example.test/\(TestTokens.tenantA)/v2.0"
        let other = "https://login.example.test/\(TestTokens.tenantB)/v2.0"
        #expect(fixture.verdict(try await fixture.bearer(TestClaims(iss: own))).isAccepted)
        #expect(fixture.verdict(try await fixture.bearer(TestClaims(iss: other))).reason == .invalidIssuer)
        #expect(fixture.verdict(try await fixture.bearer(TestClaims(iss: pattern))).reason == .invalidIssuer)
        #expect(fixture.verdict(try await fixture.bearer(TestClaims(iss: own, tid: nil))).reason == .invalidIssuer)
    }

    @Test func anAudienceMatchesWhenTheTokenListsItAmongOthers() async throws {
        let fixture = try await Fixture.make()
        let claims = TestClaims(aud: ["api://another", TestTokens.audience])
        #expect(fixture.verdict(try await fixture.bearer(claims)).isAccepted)
    }

    @Test func deniedMessagesNeverHoldTheToken() async throws {
        let fixture = try await Fixture.make()
        let token = try await fixture.tokens.token(TestClaims(exp: Date().timeIntervalSince1970 - 3_600))
        guard case .failure(let denial) = fixture.verdict("Bearer \(token)") else {
            Issue.record("an expired token was accepted")
            return
        }
        let body = String(decoding: denial.graphError.body(context: context), as: UTF8.self)
        #expect(!body.contains(token))
        #expect(!body.contains(token.split(separator: ".")[2]))
        #expect(body.contains(#""code":"InvalidAuthenticationToken""#))
    }

    /// The token with its payload replaced, the signature kept.
    private func tampered(_ token: String, claims: TestClaims) throws -> String {
        let parts = token.split(separator: ".")
        return "Bearer \(parts[0]).\(Base64URL.encode(try TestTokens.encode(claims))).\(parts[2])"
    }

    private var context: CreateContext {
        CreateContext(
            idempotencyBasis: .named("test"), eventTime: GraphTimestamp(unixMilliseconds: 0),
            requestID: "00000000-0000-0000-0000-000000000000", responseTime: GraphTimestamp(unixMilliseconds: 0))
    }
}
