import AuthenticationTestSupport
import Foundation
import SampleTokens
import Testing

@testable import Authentication

/// A configuration that could not authenticate, or would trust too much, stops at start.
@Suite struct SetupTests {
    @Test func aKeySourceAnIssuerAndAnAudienceAreRequired() {
        let cases: [(AuthenticationConfiguration, String)] = [
            (AuthenticationConfiguration(issuers: ["i"], audiences: ["a"]), "NO_KEY_SOURCE"),
            (AuthenticationConfiguration(jwksFile: "/k", audiences: ["a"]), "MISSING_ISSUER"),
            (AuthenticationConfiguration(jwksFile: "/k", issuers: ["i"]), "MISSING_AUDIENCE"),
            (AuthenticationConfiguration(jwksFile: "/k", issuers: [""], audiences: ["a"]), "MISSING_ISSUER"),
            (
                AuthenticationConfiguration(
                    jwksURL: URL(string: "http://idp.example.test/keys"), issuers: ["i"], audiences: ["a"]),
                "INVALID_SETTING"
            ),
            (
                AuthenticationConfiguration(jwksFile: "/k", issuers: ["i"], audiences: ["a"], clockSkew: .seconds(-1)),
                "INVALID_SETTING"
            ),
        ]
        for (configuration, code) in cases {
            #expect(throws: AuthenticationSetupError.self) { try configuration.validate() }
            do throws(AuthenticationSetupError) {
                try configuration.validate()
            } catch {
                #expect(error.codeName == code)
            }
        }
        let loopback = AuthenticationConfiguration(
            jwksURL: URL(string: "http://127.0.0.1:8080/keys"), issuers: ["i"], audiences: ["a"])
        #expect(throws: Never.self) { try loopback.validate() }
    }

    @Test func keySourcesThatGiveNoUsableKeyStopTheStart() async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let files = [
            ("missing", nil),
            ("not-json", "{"),
            ("no-keys", #"{"keys":[]}"#),
            (
                "only-unusable",
                #"{"keys":[{"kty":"oct","kid":"s","k":"c2VjcmV0"},{"kty":"EC","crv":"P-384","kid":"p384","x":"AA","y":"AA"},{"kty":"RSA","kid":"enc","use":"enc","n":"AQAB","e":"AQAB"},{"kty":"RSA","n":"AQAB","e":"AQAB"}]}"#
            ),
            ("short-secret", "only 31 bytes of secret........\n"),
        ]
        for (name, contents) in files {
            if let contents { try folder.write(name, contents) }
            var configuration = AuthenticationConfiguration(issuers: ["i"], audiences: ["a"])
            if name.hasSuffix("secret") {
                configuration.hs256SecretFile = folder.file(name)
            } else {
                configuration.jwksFile = folder.file(name)
            }
            await #expect("\(name)") {
                _ = try await AccessControl.start(configuration, logger: quietLogger)
            } throws: { error in
                let error = error as? AuthenticationSetupError
                return error?.codeName == "KEYS_UNAVAILABLE" && error?.message.contains(folder.file(name)) == true
            }
        }
    }

    @Test func oneUnusableKeyDoesNotSpoilTheRest() async throws {
        let keys = try TestKeys()
        let folder = try TestFolder()
        defer { folder.remove() }
        var document =
            try JSONSerialization.jsonObject(with: Data(try keys.jwks().utf8)) as! [String: [[String: String]]]
        document["keys"]!.insert(["kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"], at: 0)
        document["keys"]!.append(["kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": "AA"])
        let path = try folder.write("jwks.json", try JSONSerialization.data(withJSONObject: document))
        let access = try await AccessControl.start(
            AuthenticationConfiguration(jwksFile: path, issuers: [TestTokens.issuer], audiences: [TestTokens.audience]),
            logger: quietLogger)
        let token = try await TestTokens(keys: keys).token(signedWith: .ec)
        #expect(synchronousVerdict(access, "Bearer \(token)").isAccepted)
    }
}
