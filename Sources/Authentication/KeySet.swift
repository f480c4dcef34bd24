import Crypto
import JWTKit

import struct Foundation.Data
import class Foundation.JSONDecoder

/// The keys one source provided: RS256/ES256 keys by `kid` (from a JWKS) or the HS256
/// secret, plus a digest of the document they came from, so a refresh that brings the same
/// document changes nothing.
struct KeySet: Sendable {
    var byKeyID: [String: VerificationKey] = [:]
    var secret: VerificationKey?
    /// Keys of the JWKS that are not used, with the reason (for the log).
    var ignored: [String] = []
    var documentDigest: SHA256Digest?

    var isEmpty: Bool { byKeyID.isEmpty && secret == nil }
    var count: Int { byKeyID.count + (secret == nil ? 0 : 1) }

    /// The RS256 and ES256 signature keys of a JWKS document. jwt-kit reads each key; a key
    /// it cannot read, or that is for encryption, another algorithm or another curve, is
    /// ignored (and listed), so one odd key does not make a provider's whole set unusable.
    static func jwks(_ document: Data) async throws(KeySetError) -> KeySet {
        let entries: [JWKSEntry]
        do {
            entries = try JSONDecoder().decode(JWKSDocument.self, from: document).keys
        } catch {
            throw KeySetError("not a JWKS document (a JSON object with a \"keys\" array)")
        }
        var keys = KeySet(documentDigest: SHA256.hash(data: document))
        let collection = JWTKeyCollection()
        for (index, entry) in entries.enumerated() {
            let name = entry.info.kid.map { "key '\($0.prefix(64))'" } ?? "key #\(index)"
            switch entry.usableAlgorithm {
            case .failure(let reason):
                keys.ignored.append("\(name): \(reason)")
            case .success(let algorithm):
                guard let jwk = entry.jwk, let kid = entry.info.kid else { continue }
                do {
                    try await collection.add(jwk: jwk)
                    let verifier = try await collection.getKey(for: JWKIdentifier(string: kid), alg: algorithm.rawValue)
                    keys.byKeyID[kid] = VerificationKey(algorithm: algorithm, verifier: verifier)
                } catch {
                    keys.ignored.append("\(name): jwt-kit cannot read it (\(error))")
                }
            }
        }
        return keys
    }

    /// The HS256 key for a shared secret.
    static func hmacSecret(_ secret: [UInt8]) async -> KeySet {
        let collection = JWTKeyCollection()
        await collection.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        // The collection's only key is its default one.
        let verifier = try? await collection.getKey()
        return KeySet(
            secret: verifier.map { VerificationKey(algorithm: .hs256, verifier: $0) },
            documentDigest: SHA256.hash(data: secret))
    }
}

/// Why a document gave no keys.
struct KeySetError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// `{"keys": [...]}`, each key read on its own.
private struct JWKSDocument: Decodable {
    let keys: [JWKSEntry]
}

/// One JWKS member: jwt-kit's reading of it (nil when jwt-kit cannot read it) and the few
/// members that decide whether it is used.
private struct JWKSEntry: Decodable {
    struct Info: Decodable {
        var kid: String?
        var kty: String?
        var alg: String?
        var use: String?
        var crv: String?
    }

    let jwk: JWK?
    let info: Info

    init(from decoder: any Decoder) throws {
        jwk = try? JWK(from: decoder)
        info = (try? Info(from: decoder)) ?? Info()
    }

    /// RS256 for an RSA key, ES256 for a P-256 key, unless its `alg` says otherwise.
    var usableAlgorithm: Result<TokenAlgorithm, IgnoredKey> {
        guard info.use == nil || info.use == "sig" else { return .failure("for use '\(info.use ?? "")', not 'sig'") }
        guard info.kid?.isEmpty == false else { return .failure("has no kid") }
        let algorithm: TokenAlgorithm
        switch (info.kty, info.crv) {
        case ("RSA", _): algorithm = .rs256
        case ("EC", "P-256"): algorithm = .es256
        default:
            return .failure("key type \(info.kty ?? "none") \(info.crv ?? "") is not accepted (RSA, or EC on P-256)")
        }
        if let alg = info.alg, alg != algorithm.rawValue {
            return .failure("algorithm \(alg.prefix(16)) is not accepted (RS256 for RSA keys, ES256 for P-256 keys)")
        }
        guard jwk != nil else { return .failure("jwt-kit cannot read it") }
        return .success(algorithm)
    }
}

/// Why a JWKS member is not used.
struct IgnoredKey: Error, ExpressibleByStringLiteral, ExpressibleByStringInterpolation, CustomStringConvertible {
    let description: String
    init(stringLiteral value: String) { description = value }
    init(stringInterpolation: DefaultStringInterpolation) {
        description = String(stringInterpolation: stringInterpolation)
    }
}
