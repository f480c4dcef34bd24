import Crypto
import Foundation
import JWTKit
import _CryptoExtras

/// The claims a test token carries; nil members are left out.
public struct TestClaims: JWTPayload, Sendable {
    public var iss: String?
    public var aud: [String]?
    public var exp: Double?
    public var nbf: Double?
    public var sub: String?
    public var oid: String?
    public var appid: String?
    public var azp: String?
    public var tid: String?
    public var scp: String?
    public var roles: [String]?

    public init(
        iss: String? = TestTokens.issuer, aud: [String]? = [TestTokens.audience],
        exp: Double? = Date().timeIntervalSince1970 + 3_600, nbf: Double? = nil,
        sub: String? = "subject-1", oid: String? = "object-1", appid: String? = "vendor-app-1", azp: String? = nil,
        tid: String? = TestTokens.tenantA, scp: String? = nil, roles: [String]? = ["SecurityEvents.ReadWrite.All"]
    ) {
        self.iss = iss
        self.aud = aud
        self.exp = exp
        self.nbf = nbf
        self.sub = sub
        self.oid = oid
        self.appid = appid
        self.azp = azp
        self.tid = tid
        self.scp = scp
        self.roles = roles
    }

    /// Claims are checked by the code under test, not here.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Signs test tokens with ``TestKeys``: through jwt-kit for well-formed ones, by hand for
/// hostile ones (a header jwt-kit would not write).
public struct TestTokens: Sendable {
    public static let issuer = "https://login.example.test/usp/v2.0"
    public static let audience = "api://usp-worker"
    public static let tenantA = "8f2d6a1e-0a6b-4c69-9a43-1f0e4b7a2c11"
    public static let tenantB = "3c9b8e57-6f1d-4e1a-b0d2-7a5e9c4f8b22"

    public let keys: TestKeys

    public init(keys: TestKeys) {
        self.keys = keys
    }

    public enum Signer: Sendable {
        case rsa, ec, secret
    }

    /// A token signed by jwt-kit with one of the keys (its `kid` in the header for RSA and EC).
    public func token(_ claims: TestClaims = TestClaims(), signedWith signer: Signer = .rsa) async throws -> String {
        let collection = JWTKeyCollection()
        switch signer {
        case .rsa:
            await collection.add(rsa: keys.rsa, digestAlgorithm: .sha256, kid: JWKIdentifier(string: keys.rsaKeyID))
            return try await collection.sign(claims, kid: JWKIdentifier(string: keys.rsaKeyID))
        case .ec:
            await collection.add(ecdsa: keys.ec, kid: JWKIdentifier(string: keys.ecKeyID))
            return try await collection.sign(claims, kid: JWKIdentifier(string: keys.ecKeyID))
        case .secret:
            await collection.add(hmac: HMACKey(from: keys.secret), digestAlgorithm: .sha256)
            return try await collection.sign(claims)
        }
    }

    /// A token with any header, signed with HMAC-SHA256 under `secret` (an attacker's forgery
    /// when the secret is not the configured one).
    public static func hmacSigned(header: String, claims: TestClaims = TestClaims(), secret: some DataProtocol) throws
        -> String
    {
        let input = "\(Base64URL.encode(header)).\(Base64URL.encode(try encode(claims)))"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(secret)))
        return "\(input).\(Base64URL.encode(Data(mac)))"
    }

    /// A token with any header, validly RS256-signed with the RSA key.
    public func rsaSigned(header: String, claims: TestClaims = TestClaims()) throws -> String {
        try rsaSigned(rawInput: "\(Base64URL.encode(header)).\(Base64URL.encode(try Self.encode(claims)))")
    }

    /// `input` (encoded header, dot, encoded payload), validly RS256-signed with the RSA key.
    public func rsaSigned(rawInput input: String) throws -> String {
        let key = try _RSA.Signing.PrivateKey(pemRepresentation: keys.rsa.pemRepresentation)
        let signature = try key.signature(for: Data(input.utf8), padding: _RSA.Signing.Padding.insecurePKCS1v1_5)
        return "\(input).\(Base64URL.encode(signature.rawRepresentation))"
    }

    /// An unsigned token (`alg: none`, empty signature).
    public static func unsigned(claims: TestClaims = TestClaims()) throws -> String {
        "\(Base64URL.encode(#"{"alg":"none","typ":"JWT"}"#)).\(Base64URL.encode(try encode(claims)))."
    }

    public static func encode(_ claims: TestClaims) throws -> String {
        String(decoding: try JSONEncoder().encode(claims), as: UTF8.self)
    }
}
