import JWTKit

/// The members of a token's payload that decide whether it is accepted and what it allows.
/// jwt-kit's claim types read `aud` (a string or an array), `exp` and `nbf` (NumericDate);
/// a member of the wrong type makes the token malformed. Other members are ignored.
struct AccessTokenClaims: Decodable {
    var iss: String?
    var aud: AudienceClaim?
    var exp: ExpirationClaim?
    var nbf: NotBeforeClaim?
    var sub: String?
    var oid: String?
    var appid: String?
    var azp: String?
    var tid: String?
    var scp: String?
    var roles: [String]?
}

/// The JOSE header: the algorithm, the key, and any critical extension (none is understood,
/// so a token that lists one is refused, as RFC 7515, 4.1.11 asks).
struct TokenHeader: Decodable {
    var alg: String
    var kid: String?
    var hasCriticalExtensions: Bool

    private enum CodingKeys: String, CodingKey {
        case alg, kid, crit
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        alg = try container.decode(String.self, forKey: .alg)
        kid = try container.decodeIfPresent(String.self, forKey: .kid)
        hasCriticalExtensions = container.contains(.crit)
    }
}
