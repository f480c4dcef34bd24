import AuthenticationTestSupport
import Foundation
import SampleTokens
import Testing

@testable import Authentication

/// Tokens an attacker would try: each is refused with 401, none traps, none is accepted.
@Suite struct HostileTokenTests {
    @Test func anUnsignedTokenIsRefusedWhateverItsAlgSpelling() async throws {
        let fixture = try await Fixture.make()
        let claims = try TestTokens.encode(TestClaims())
        for alg in ["none", "None", "NONE", "nOnE", ""] {
            let token = "\(Base64URL.encode(#"{"alg":"\#(alg)","typ":"JWT"}"#)).\(Base64URL.encode(claims))."
            let verdict = fixture.verdict("Bearer \(token)")
            #expect(verdict.reason == .algorithmNotAccepted || verdict.reason == .malformedToken, "alg \(alg)")
        }
        // The same, with a signature made up to look like one.
        let signed = "\(Base64URL.encode(#"{"alg":"none"}"#)).\(Base64URL.encode(claims)).\(Base64URL.encode("x"))"
        #expect(fixture.verdict("Bearer \(signed)").reason == .algorithmNotAccepted)
    }

    /// An HS256 token whose "secret" is the RSA public key, naming the RSA key's kid: refused
    /// whether or not an HS256 secret is configured, since HS256 only ever uses that secret.
    @Test(arguments: [true, false])
    func anHS256TokenSignedWithTheRSAPublicKeyIsRefused(secretConfigured: Bool) async throws {
        let fixture = try await Fixture.make(secret: secretConfigured)
        let pem = fixture.keys.rsaPublicKeyPEM
        let (modulus, _) = try fixture.keys.rsa.publicKey.getKeyPrimitives()
        for secret in [Data(pem.utf8), fixture.keys.rsa.publicKey.derRepresentation, modulus] {
            for header in [#"{"alg":"HS256","kid":"\#(fixture.keys.rsaKeyID)"}"#, #"{"alg":"HS256"}"#] {
                let token = try TestTokens.hmacSigned(header: header, secret: secret)
                let verdict = fixture.verdict("Bearer \(token)")
                let expected: AccessDenied.Reason = secretConfigured ? .invalidSignature : .algorithmNotAccepted
                #expect(verdict.reason == expected, "\(header)")
            }
        }
    }

    @Test func aTokenNamingAKeyOfAnotherAlgorithmIsRefused() async throws {
        let fixture = try await Fixture.make()
        // A valid RSA signature, but the header names the EC key (or says ES256 for the RSA key).
        let rsaForEC = try fixture.tokens.rsaSigned(header: #"{"alg":"RS256","kid":"\#(fixture.keys.ecKeyID)"}"#)
        #expect(fixture.verdict("Bearer \(rsaForEC)").reason == .algorithmNotAccepted)
        let esForRSA = try fixture.tokens.rsaSigned(header: #"{"alg":"ES256","kid":"\#(fixture.keys.rsaKeyID)"}"#)
        #expect(fixture.verdict("Bearer \(esForRSA)").reason == .algorithmNotAccepted)
    }

    @Test func otherAlgorithmsAreRefusedBeforeAnyKeyIsUsed() async throws {
        let fixture = try await Fixture.make()
        for alg in ["HS384", "HS512", "RS384", "RS512", "PS256", "ES384", "ES512", "EdDSA", "rs256", "RS256 "] {
            let token = try fixture.tokens.rsaSigned(header: #"{"alg":"\#(alg)","kid":"\#(fixture.keys.rsaKeyID)"}"#)
            #expect(fixture.verdict("Bearer \(token)").reason == .algorithmNotAccepted, "\(alg)")
        }
    }

    /// A `kid` is only ever a name to look up among the loaded keys: never a path, never a URL.
    @Test func keyIDPathAndURLTricksNameNoKey() async throws {
        let fixture = try await Fixture.make()
        let jwksPath = fixture.folder.file("jwks.json")
        let tricks = [
            "../../etc/passwd", "/etc/passwd", jwksPath, "file://\(jwksPath)", "http://127.0.0.1:1/jwks",
            "https://evil.test/jwks.json", "\(fixture.keys.rsaKeyID)/../\(fixture.keys.rsaKeyID)",
            "\(fixture.keys.rsaKeyID)\u{0000}", " \(fixture.keys.rsaKeyID)", "%2e%2e%2fetc%2fpasswd",
            String(repeating: "A", count: 8_000),
        ]
        for kid in tricks {
            let escaped = kid.replacingOccurrences(of: "\u{0000}", with: "\\u0000")
            let token = try fixture.tokens.rsaSigned(header: #"{"alg":"RS256","kid":"\#(escaped)"}"#)
            #expect(fixture.verdict("Bearer \(token)").reason == .unknownKey, "kid \(kid.prefix(40))")
        }
    }

    @Test func criticalHeaderExtensionsAreRefused() async throws {
        let fixture = try await Fixture.make()
        let token = try fixture.tokens.rsaSigned(
            header: #"{"alg":"RS256","kid":"\#(fixture.keys.rsaKeyID)","crit":["exp"],"exp":1}"#)
        #expect(fixture.verdict("Bearer \(token)").reason == .malformedToken)
    }

    @Test func claimsOfTheWrongTypeMakeAMalformedToken() async throws {
        let fixture = try await Fixture.make()
        let header = #"{"alg":"RS256","kid":"\#(fixture.keys.rsaKeyID)"}"#
        let payloads = [
            #"{"iss":1,"aud":"api://usp-worker","exp":9999999999}"#,
            #"{"iss":"https://login.example.test/usp/v2.0","aud":{"a":1},"exp":9999999999}"#,
            #"{"iss":"https://login.example.test/usp/v2.0","aud":"api://usp-worker","exp":"tomorrow"}"#,
            #"{"iss":"https://login.example.test/usp/v2.0","aud":"api://usp-worker","exp":9999999999,"roles":"x"}"#,
            #"[]"#, #"null"#, #"{"#,
        ]
        for payload in payloads {
            let token = try signed(header: header, payload: payload, fixture: fixture)
            #expect(fixture.verdict("Bearer \(token)").reason == .malformedToken, "\(payload)")
        }
    }

    @Test func hugeAndDeeplyNestedHeadersAreRefusedWithoutATrap() async throws {
        let fixture = try await Fixture.make()
        let limit = fixture.access.configuration.maximumTokenLength
        let huge = "Bearer " + String(repeating: "A", count: limit) + ".e30.c2ln"
        #expect(fixture.verdict(huge).reason == .malformedToken)
        let enormous = "Bearer " + String(repeating: "A", count: 4_000_000)
        #expect(fixture.verdict(enormous).reason == .malformedToken)
        // Nesting that fits in the length limit: 5,000 arrays inside the header and the payload.
        let nested = String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)
        let deepHeader = #"{"alg":"RS256","kid":"\#(fixture.keys.rsaKeyID)","x":\#(nested)}"#
        #expect(!fixture.verdict("Bearer \(try fixture.tokens.rsaSigned(header: deepHeader))").isAccepted)
        let deepPayload = try signed(
            header: #"{"alg":"RS256","kid":"\#(fixture.keys.rsaKeyID)"}"#, payload: #"{"x":\#(nested)}"#,
            fixture: fixture)
        #expect(fixture.verdict("Bearer \(deepPayload)").reason == .malformedToken)
        let manyDots = "Bearer " + String(repeating: ".", count: 10_000)
        #expect(fixture.verdict(manyDots).reason == .malformedToken)
    }

    /// Random edits of valid tokens (flipped, inserted, deleted and swapped characters, and
    /// swapped segments between the RSA, EC and HS256 tokens): none is accepted unless it is
    /// one of the originals, and every refusal is a 401.
    @Test func mutatedTokensAreRefusedWith401AndNeverTrap() async throws {
        let fixture = try await Fixture.make()
        let originals = [
            try await fixture.tokens.token(signedWith: .rsa), try await fixture.tokens.token(signedWith: .ec),
            try await fixture.tokens.token(signedWith: .secret),
        ]
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.= +/\u{0}é")
        var random = SystemRandomNumberGenerator()
        let deadline = ContinuousClock.now + .seconds(20)
        var tried = 0
        while tried < 5_000, ContinuousClock.now < deadline {
            tried += 1
            var token = Array(originals.randomElement(using: &random)!)
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0..<token.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: token[position] = alphabet.randomElement(using: &random)!
                case 1: token.insert(alphabet.randomElement(using: &random)!, at: position)
                case 2: token.remove(at: position)
                default:
                    let parts = originals.randomElement(using: &random)!.split(separator: ".")
                    var mine = String(token).split(separator: ".", omittingEmptySubsequences: false)
                    let index = Int.random(in: 0..<min(3, mine.count), using: &random)
                    mine[index] = parts[index]
                    token = Array(mine.joined(separator: "."))
                }
                if token.isEmpty { token = ["."] }
            }
            let text = String(token)
            let verdict = fixture.verdict("Bearer \(text)")
            if originals.contains(text) { continue }
            switch verdict {
            case .success:
                // Base64url ignores the last segment's spare bits, so a few edits give the same bytes.
                #expect(canonicallyEqual(text, toOneOf: originals), "a mutated token was accepted: \(text)")
            case .failure(let denial):
                #expect(denial.status == 401, "\(denial)")
            }
        }
        #expect(tried > 100)
    }

    private func signed(header: String, payload: String, fixture: Fixture) throws -> String {
        let input = "\(Base64URL.encode(header)).\(Base64URL.encode(payload))"
        return try fixture.tokens.rsaSigned(rawInput: input)
    }

    private func canonicallyEqual(_ token: String, toOneOf originals: [String]) -> Bool {
        let decoded = { (token: String) in
            token.split(separator: ".", omittingEmptySubsequences: false).map { segment -> Data? in
                var text = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
                while text.count % 4 != 0 { text += "=" }
                return Data(base64Encoded: text)
            }
        }
        return originals.contains { decoded($0) == decoded(token) }
    }
}
