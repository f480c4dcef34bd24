import struct Foundation.URL

/// How bearer tokens are verified and what they must allow: where the keys come
/// from, whom the tokens must be issued by and for, and how much clock skew is tolerated.
///
/// A value: ``AccessControl/start(_:logger:)`` checks it and loads the keys.
public struct AuthenticationConfiguration: Sendable {
    /// An OpenID provider's JWKS (RS256 and ES256 keys), fetched at start, again when a
    /// token names a key it does not hold (rate-limited), and once ``KeyRefreshPolicy/maximumAge`` old.
    /// `https`, or `http` on a loopback address only.
    public var jwksURL: URL?
    /// A JWKS file (RS256 and ES256 keys), read at start and again when it changes.
    public var jwksFile: String?
    /// A file holding the HS256 shared secret (at least 32 bytes; trailing CR/LF ignored),
    /// read at start and again when it changes.
    public var hs256SecretFile: String?
    /// Accepted `iss` values; at least one. `{tenantid}` in one stands for the token's own `tid`
    /// (`https://login.microsoftonline.com/{tenantid}/v2.0` for a multi-tenant application).
    public var issuers: [String]
    /// Accepted `aud` values; at least one must be in the token's `aud`.
    public var audiences: [String]
    /// How far `exp` and `nbf` may be off the local clock.
    public var clockSkew: Duration
    /// A JSON file naming which callers may write for which tenants and vendors
    /// (see ``TenantAllowList``); read at start and again when it changes. Without it,
    /// any caller holding the permission may write for its own tenant (`tid`).
    public var tenantAllowListFile: String?
    /// The permission a token must carry in `scp` (delegated) or `roles` (application).
    public var requiredPermission: String
    /// When and how keys are fetched and reloaded.
    public var keyRefresh: KeyRefreshPolicy
    /// Verified tokens remembered at most (keyed by their SHA-256), so a token reused for
    /// many events is checked once.
    public var cacheCapacity: Int
    /// Longer `authorization` values are refused unread (401).
    public var maximumTokenLength: Int

    public init(
        jwksURL: URL? = nil,
        jwksFile: String? = nil,
        hs256SecretFile: String? = nil,
        issuers: [String] = [],
        audiences: [String] = [],
        clockSkew: Duration = .seconds(60),
        tenantAllowListFile: String? = nil,
        requiredPermission: String = "SecurityEvents.ReadWrite.All",
        keyRefresh: KeyRefreshPolicy = KeyRefreshPolicy(),
        cacheCapacity: Int = 10_000,
        maximumTokenLength: Int = 16_384
    ) {
        self.jwksURL = jwksURL
        self.jwksFile = jwksFile
        self.hs256SecretFile = hs256SecretFile
        self.issuers = issuers
        self.audiences = audiences
        self.clockSkew = clockSkew
        self.tenantAllowListFile = tenantAllowListFile
        self.requiredPermission = requiredPermission
        self.keyRefresh = keyRefresh
        self.cacheCapacity = cacheCapacity
        self.maximumTokenLength = maximumTokenLength
    }

    /// Refuses a configuration that could not authenticate anything, or would accept
    /// tokens meant for someone else: no key source, no issuer, no audience.
    public func validate() throws(AuthenticationSetupError) {
        guard jwksURL != nil || jwksFile != nil || hs256SecretFile != nil else {
            throw .noKeySource
        }
        guard !issuers.isEmpty, issuers.allSatisfy({ !$0.isEmpty }) else { throw .missingIssuer }
        guard !audiences.isEmpty, audiences.allSatisfy({ !$0.isEmpty }) else { throw .missingAudience }
        guard clockSkew >= .zero else { throw .invalidSetting("the clock skew must not be negative") }
        guard cacheCapacity >= 0, maximumTokenLength > 0 else {
            throw .invalidSetting("the cache capacity and the token length limit must be positive")
        }
        if let jwksURL { try KeySource.checkURL(jwksURL) }
    }

    /// The key sources configured, in lookup order.
    var keySources: [KeySource] {
        var sources: [KeySource] = []
        if let jwksURL { sources.append(.jwksURL(jwksURL)) }
        if let jwksFile { sources.append(.jwksFile(jwksFile)) }
        if let hs256SecretFile { sources.append(.hmacSecretFile(hs256SecretFile)) }
        return sources
    }
}

/// When keys are fetched and reloaded.
public struct KeyRefreshPolicy: Sendable {
    /// A token naming an unknown key fetches the JWKS URL again at most this often, so
    /// random `kid`s cannot hammer the provider; in between such tokens are refused.
    public var minimumInterval: Duration
    /// Keys fetched from the URL are fetched again in the background once this old, so a
    /// key the provider withdrew stops verifying.
    public var maximumAge: Duration
    /// Key and allow-list files are checked for a change (size, time, inode) at most this often.
    public var fileCheckInterval: Duration
    /// How long a token naming an unknown key waits for the refresh it started
    /// (also the JWKS request's timeout).
    public var waitTimeout: Duration

    public init(
        minimumInterval: Duration = .seconds(10),
        maximumAge: Duration = .seconds(3_600),
        fileCheckInterval: Duration = .seconds(1),
        waitTimeout: Duration = .seconds(5)
    ) {
        self.minimumInterval = minimumInterval
        self.maximumAge = maximumAge
        self.fileCheckInterval = fileCheckInterval
        self.waitTimeout = waitTimeout
    }
}
