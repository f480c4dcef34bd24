import Foundation

/// Decides whether a token is authentic: its form, its algorithm, its key, its signature
/// (jwt-kit), then its issuer and audience. Expiry is left to ``TimeWindow``, since an
/// authentic token stays authentic but not valid forever.
struct TokenVerifier: Sendable {
    let issuers: [String]
    let audiences: [String]

    enum Outcome {
        case authentic(Caller)
        /// Refused for good with these keys (the verdict may be cached).
        case refused(AccessDenied)
        /// The key is not here, or the shared secret does not match: new keys might change
        /// the verdict. `secret` tells which: the HS256 secret, or a JWKS key.
        case keyMissing(AccessDenied, secret: Bool)
    }

    func verify(_ token: [UInt8], with keySets: [KeySet]) -> Outcome {
        let parts = token.split(separator: UInt8(ascii: "."), maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            return .refused(.malformed("its header or payload is empty"))
        }
        guard let headerJSON = base64URLDecoded(parts[0]),
            let header = try? decoder.decode(TokenHeader.self, from: headerJSON)
        else {
            return .refused(.malformed("its header is not base64url-encoded JSON with an 'alg'"))
        }
        guard !header.hasCriticalExtensions else {
            return .refused(.malformed("it lists critical header extensions ('crit'), which are not supported"))
        }
        guard let algorithm = TokenAlgorithm(rawValue: header.alg) else {
            return .refused(
                AccessDenied(
                    .algorithmNotAccepted,
                    "The token's algorithm '\(header.alg.prefix(16))' is not accepted (RS256, ES256 or HS256)."))
        }
        let key: VerificationKey
        switch lookUpKey(algorithm: algorithm, keyID: header.kid, in: keySets) {
        case .success(let found): key = found
        case .failure(let failure): return failure.outcome
        }
        guard let signature = base64URLDecoded(parts[2]), !signature.isEmpty else {
            return .refused(.malformed("its signature is empty or not base64url"))
        }
        let signingInput = token[token.startIndex..<parts[1].endIndex]
        guard key.verifies([UInt8](signature), of: signingInput) else {
            let denial = AccessDenied(.invalidSignature, "The token's signature does not verify.")
            return algorithm == .hs256 ? .keyMissing(denial, secret: true) : .refused(denial)
        }
        guard let payload = base64URLDecoded(parts[1]),
            let claims = try? decoder.decode(AccessTokenClaims.self, from: payload)
        else {
            return .refused(.malformed("its payload is not base64url-encoded JSON with claims of the right types"))
        }
        return check(claims)
    }

    private func lookUpKey(algorithm: TokenAlgorithm, keyID: String?, in keySets: [KeySet]) -> Result<
        VerificationKey, KeyLookupFailure
    > {
        if algorithm == .hs256 {
            guard let secret = keySets.lazy.compactMap(\.secret).first else {
                return .failure(
                    KeyLookupFailure(
                        .refused(
                            AccessDenied(
                                .algorithmNotAccepted, "HS256 tokens are not accepted: no shared secret is configured.")
                        )))
            }
            return .success(secret)
        }
        guard let keyID, !keyID.isEmpty else {
            return .failure(KeyLookupFailure(.refused(.malformed("it does not name its signing key ('kid')"))))
        }
        guard let key = keySets.lazy.compactMap({ $0.byKeyID[keyID] }).first else {
            let denial = AccessDenied(.unknownKey, "The token's signing key ('kid') is not one of the configured keys.")
            return .failure(KeyLookupFailure(.keyMissing(denial, secret: false)))
        }
        guard key.algorithm == algorithm else {
            return .failure(
                KeyLookupFailure(
                    .refused(
                        AccessDenied(
                            .algorithmNotAccepted,
                            "The token says \(algorithm.rawValue) but the key it names is for \(key.algorithm.rawValue)."
                        ))))
        }
        return .success(key)
    }

    private func check(_ claims: AccessTokenClaims) -> Outcome {
        guard let expiry = claims.exp?.value else {
            return .refused(.malformed("it has no expiry ('exp')"))
        }
        guard let issuer = claims.iss, isAccepted(issuer: issuer, tenantID: claims.tid) else {
            return .refused(AccessDenied(.invalidIssuer, "The token's issuer ('iss') is not accepted."))
        }
        guard let audience = claims.aud?.value, audience.contains(where: audiences.contains) else {
            return .refused(AccessDenied(.invalidAudience, "The token's audience ('aud') is not this service."))
        }
        return .authentic(
            Caller(
                tenantID: claims.tid, subject: claims.sub, objectID: claims.oid,
                applicationID: claims.appid ?? claims.azp,
                scopes: claims.scp.map { $0.split(separator: " ").map(String.init) } ?? [],
                roles: claims.roles ?? [], expiresAt: expiry, notBefore: claims.nbf?.value))
    }

    /// An issuer matches a configured one exactly, or with `{tenantid}` standing for the
    /// token's own `tid`.
    private func isAccepted(issuer: String, tenantID: String?) -> Bool {
        issuers.contains { pattern in
            guard pattern.contains(Self.tenantPlaceholder) else { return pattern == issuer }
            guard let tenantID, !tenantID.isEmpty else { return false }
            return pattern.replacingOccurrences(of: Self.tenantPlaceholder, with: tenantID) == issuer
        }
    }

    static let tenantPlaceholder = "{tenantid}"

    private var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }

    /// Base64url without padding (RFC 7515, 2), through Foundation's base64. The token's
    /// characters were checked by ``BearerToken``.
    private func base64URLDecoded(_ segment: ArraySlice<UInt8>) -> Data? {
        var text = [UInt8]()
        text.reserveCapacity(segment.count + 3)
        for byte in segment {
            switch byte {
            case UInt8(ascii: "-"): text.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): text.append(UInt8(ascii: "/"))
            default: text.append(byte)
            }
        }
        while text.count % 4 != 0 { text.append(UInt8(ascii: "=")) }
        return Data(base64Encoded: Data(text))
    }
}

/// A key lookup that ends the verification.
private struct KeyLookupFailure: Error {
    let outcome: TokenVerifier.Outcome
    init(_ outcome: TokenVerifier.Outcome) { self.outcome = outcome }
}

/// Whether an authentic token is valid now: `nbf` ≤ now + skew and now − skew < `exp`.
struct TimeWindow: Sendable {
    let clockSkew: TimeInterval

    func check(_ caller: Caller, now: Date) -> AccessDenied? {
        if now.addingTimeInterval(-clockSkew) >= caller.expiresAt {
            return AccessDenied(.expired, "Access token has expired.")
        }
        if let notBefore = caller.notBefore, now.addingTimeInterval(clockSkew) < notBefore {
            return AccessDenied(.notYetValid, "Access token is not yet valid ('nbf').")
        }
        return nil
    }
}
