import Crypto
import Foundation
import JWTKit
import _CryptoExtras

/// Signing keys made at run time for tests and benchmarks (nothing private is stored in the
/// repository): an RSA key, a P-256 key, and an HS256 secret, each with a key id.
public struct TestKeys: Sendable {
    public let rsa: JWTKit.Insecure.RSA.PrivateKey
    public let ec: ES256PrivateKey
    public let secret: [UInt8]
    public let rsaKeyID: String
    public let ecKeyID: String

    /// New keys; ids are unique per call.
    public init() throws {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        rsa = try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        ec = ES256PrivateKey()
        // The last byte is printable: a secret file's trailing CR and LF are cut when it is
        // read (files are often saved with a newline), so a random one ending in either
        // would not be the secret the tokens were signed with.
        secret = (0..<47).map { _ in UInt8.random(in: 0...255) } + [UInt8.random(in: 0x21...0x7E)]
        rsaKeyID = "rsa-\(suffix)"
        ecKeyID = "ec-\(suffix)"
    }

    /// The public JWKS of these keys (RSA and EC), as an OpenID provider publishes it:
    /// `kty`, `use`, `kid`, the key's numbers, and `alg` only when `withAlgorithm` is set
    /// (Microsoft's keys carry none).
    public func jwks(withAlgorithm: Bool = false) throws -> String {
        try Self.jwks(of: [self], withAlgorithm: withAlgorithm)
    }

    /// One JWKS with the public keys of several key sets.
    public static func jwks(of keySets: [TestKeys], withAlgorithm: Bool = false) throws -> String {
        var keys: [[String: String]] = []
        for set in keySets {
            let (modulus, exponent) = try set.rsa.publicKey.getKeyPrimitives()
            var rsaKey = [
                "kty": "RSA", "use": "sig", "kid": set.rsaKeyID,
                "n": Base64URL.encode(modulus), "e": Base64URL.encode(exponent),
            ]
            guard let parameters = set.ec.parameters else { throw CocoaError(.coderInvalidValue) }
            var ecKey = [
                "kty": "EC", "use": "sig", "crv": "P-256", "kid": set.ecKeyID, "x": parameters.x, "y": parameters.y,
            ]
            if withAlgorithm {
                rsaKey["alg"] = "RS256"
                ecKey["alg"] = "ES256"
            }
            keys += [rsaKey, ecKey]
        }
        let data = try JSONSerialization.data(withJSONObject: ["keys": keys], options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// The RSA public key as PEM text (what an algorithm-confusion attacker uses as an HMAC secret).
    public var rsaPublicKeyPEM: String { rsa.publicKey.pemRepresentation }
}

/// Base64url without padding (RFC 7515, 2).
public enum Base64URL {
    public static func encode(_ bytes: some DataProtocol) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func encode(_ text: String) -> String { encode(Data(text.utf8)) }
}
