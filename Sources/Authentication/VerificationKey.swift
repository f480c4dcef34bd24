import JWTKit

/// The signature algorithms a token may name. Anything else (`none`, `HS512`, `PS256`, …)
/// is refused before any key is looked at.
enum TokenAlgorithm: String, Sendable {
    case rs256 = "RS256"
    case es256 = "ES256"
    case hs256 = "HS256"
}

/// One key a signature is checked with: jwt-kit's verifier for it, and the one algorithm
/// it is for. A token must name that same algorithm, so no token can make the worker use
/// an RSA public key as an HMAC secret (algorithm confusion).
struct VerificationKey: Sendable {
    let algorithm: TokenAlgorithm
    let verifier: any JWTAlgorithm

    /// Whether `signature` is this key's signature of `signingInput`. A signature that is
    /// not even of the right shape is not.
    func verifies(_ signature: [UInt8], of signingInput: ArraySlice<UInt8>) -> Bool {
        (try? verifier.verify(signature, signs: signingInput)) ?? false
    }
}
