import Crypto
import Foundation
import Logging

/// Authenticates and authorizes creation requests carrying `Authorization: Bearer <JWT>`,
/// the same way for every front end (a Kafka record's header, an HTTP request's header).
///
/// 1. ``authenticate(authorization:)``: the token must be signed by a configured key
///    (RS256/ES256 from a JWKS URL or file, HS256 from a secret file), unexpired (within the
///    clock skew), from an accepted issuer, for an accepted audience; else 401.
/// 2. ``authorize(_:)``: it must grant the permission (`scp` or `roles`); else 403. This
///    needs the token only, so it comes before the body is read.
/// 3. ``authorize(_:tenantID:vendor:)``: once the body is valid, its `azureTenantId` must be
///    the token's `tid`, and the allow-list (when configured) must let the caller write for
///    that tenant and vendor; else 403.
///
/// Verification is synchronous and cheap on a token seen before: verdicts are cached by the
/// token's SHA-256 (see ``VerifiedTokenCache``), so only the first event with a token pays
/// for the signature. A token naming an unknown key makes the synchronous call wait, at most
/// ``KeyRefreshPolicy/waitTimeout``, for a key refresh (rate-limited); the `async` overload
/// suspends instead. One instance serves any number of threads.
public final class AccessControl: Sendable {
    public let configuration: AuthenticationConfiguration
    private let rings: [KeyRing]
    private let verifier: TokenVerifier
    private let timeWindow: TimeWindow
    private let cache: VerifiedTokenCache
    private let allowList: AllowListFile?

    private init(
        configuration: AuthenticationConfiguration, rings: [KeyRing], allowList: AllowListFile?
    ) {
        self.configuration = configuration
        self.rings = rings
        self.allowList = allowList
        verifier = TokenVerifier(issuers: configuration.issuers, audiences: configuration.audiences)
        timeWindow = TimeWindow(clockSkew: configuration.clockSkew / .seconds(1))
        cache = VerifiedTokenCache(capacity: configuration.cacheCapacity)
    }

    /// Checks the configuration and loads every key source and the allow-list; throws when
    /// any cannot be used, so a misconfigured service stops at start rather than refusing
    /// every request.
    public static func start(
        _ configuration: AuthenticationConfiguration, logger: Logger
    ) async throws(AuthenticationSetupError) -> AccessControl {
        try configuration.validate()
        var rings: [KeyRing] = []
        for source in configuration.keySources {
            rings.append(try await KeyRing.load(source, policy: configuration.keyRefresh, logger: logger))
        }
        let allowList = try configuration.tenantAllowListFile.map { path throws(AuthenticationSetupError) in
            try AllowListFile(path: path, checkInterval: configuration.keyRefresh.fileCheckInterval, logger: logger)
        }
        return AccessControl(configuration: configuration, rings: rings, allowList: allowList)
    }

    // MARK: Authentication (401)

    /// The caller of a request whose `authorization` header is `authorization` (nil when
    /// absent). Blocks at most ``KeyRefreshPolicy/waitTimeout`` when the token names a key
    /// not yet known: call it from a thread of your own, not from a Swift concurrency task
    /// (there, `await` the `async` overload).
    public func authenticate(authorization: String?) throws(AccessDenied) -> Caller {
        switch firstLook(authorization) {
        case .decided(let result):
            return try result.get()
        case .waitForKeys(let token, let digest, let refreshes):
            let deadline = ContinuousClock.now + configuration.keyRefresh.waitTimeout
            for refresh in refreshes {
                refresh.wait(timeout: max(.zero, deadline - .now))
            }
            return try secondLook(token, digest: digest).get()
        }
    }

    /// The caller of a request; suspends (rather than blocks) while a key refresh it needs runs.
    public func authenticate(authorization: String?) async throws(AccessDenied) -> Caller {
        switch firstLook(authorization) {
        case .decided(let result):
            return try result.get()
        case .waitForKeys(let token, let digest, let refreshes):
            for refresh in refreshes {
                await refresh.wait()
            }
            return try secondLook(token, digest: digest).get()
        }
    }

    private enum FirstLook {
        case decided(Result<Caller, AccessDenied>)
        /// The key was missing and refreshes that may bring it are under way.
        case waitForKeys(token: [UInt8], digest: SHA256Digest, refreshes: [PendingRefresh])
    }

    private func firstLook(_ authorization: String?) -> FirstLook {
        guard var header = authorization else { return .decided(.failure(.missingToken)) }
        let now = Date()
        let generation = keyGeneration()
        return header.withUTF8 { value in
            let value = UnsafeRawBufferPointer(value)
            let range: Range<Int>
            switch BearerToken.locate(in: value, maximumLength: configuration.maximumTokenLength) {
            case .success(let found): range = found
            case .failure(let denial): return .decided(.failure(denial))
            }
            let token = UnsafeRawBufferPointer(rebasing: value[range])
            let digest = SHA256.hash(data: token)
            switch cache.lookup(digest, keyGeneration: generation) {
            case .accepted(let caller)?:
                return .decided(withinTimeWindow(caller, now: now))
            case .refused(let denial)?:
                return .decided(.failure(denial))
            case nil:
                break
            }
            if let denial = BearerToken.check(token) { return .decided(.failure(denial)) }
            let bytes = [UInt8](token)
            switch verify(bytes, digest: digest, generation: generation, now: now) {
            case .decided(let result):
                return .decided(result)
            case .keyMissing(let denial, let secret):
                let clock = ContinuousClock.now
                let refreshes = rings.filter { secret == ($0.source.isSecret) }.compactMap {
                    $0.refreshForMissingKey(now: clock)
                }
                guard !refreshes.isEmpty else { return .decided(.failure(denial)) }
                return .waitForKeys(token: bytes, digest: digest, refreshes: refreshes)
            }
        }
    }

    /// After the refreshes: the verdict with whatever keys are there now.
    private func secondLook(_ token: [UInt8], digest: SHA256Digest) -> Result<Caller, AccessDenied> {
        let now = Date()
        switch verify(token, digest: digest, generation: keyGeneration(), now: now) {
        case .decided(let result): return result
        case .keyMissing(let denial, _): return .failure(denial)
        }
    }

    private enum Verdict {
        case decided(Result<Caller, AccessDenied>)
        case keyMissing(AccessDenied, secret: Bool)
    }

    /// Verifies a token not in the cache, and caches the verdict when keys cannot change it.
    private func verify(_ token: [UInt8], digest: SHA256Digest, generation: Int, now: Date) -> Verdict {
        let staleBefore = now.addingTimeInterval(-timeWindow.clockSkew)
        switch verifier.verify(token, with: rings.map(\.keys)) {
        case .authentic(let caller):
            cache.store(.accepted(caller), for: digest, keyGeneration: generation, staleBefore: staleBefore)
            return .decided(withinTimeWindow(caller, now: now))
        case .refused(let denial):
            cache.store(.refused(denial), for: digest, keyGeneration: generation, staleBefore: staleBefore)
            return .decided(.failure(denial))
        case .keyMissing(let denial, let secret):
            return .keyMissing(denial, secret: secret)
        }
    }

    private func withinTimeWindow(_ caller: Caller, now: Date) -> Result<Caller, AccessDenied> {
        if let denial = timeWindow.check(caller, now: now) { return .failure(denial) }
        return .success(caller)
    }

    /// Verdicts cached now, accepted and refused (for tests and diagnostics).
    var cacheCounts: (accepted: Int, refused: Int) { cache.counts }

    /// Lets each ring notice a changed source, and sums their generations: the sum changes
    /// whenever any ring's keys do (generations only grow).
    private func keyGeneration() -> Int {
        let now = ContinuousClock.now
        var sum = 0
        for ring in rings { sum &+= ring.maintain(now: now) }
        return sum
    }

    // MARK: Authorization (403)

    /// Refuses a caller whose token does not grant ``AuthenticationConfiguration/requiredPermission``,
    /// delegated (`scp`) or as an application (`roles`).
    public func authorize(_ caller: Caller) throws(AccessDenied) {
        guard caller.holds(configuration.requiredPermission) else {
            throw AccessDenied(
                .missingPermission,
                "Insufficient privileges: the token must grant \(configuration.requiredPermission) (in 'scp' or 'roles')."
            )
        }
    }

    /// Refuses a caller writing for a tenant other than its token's `tid`, or for a tenant or
    /// vendor its allow-list entry does not name. `tenantID` and `vendor` come from the
    /// validated body (`azureTenantId`, `vendorInformation.vendor`).
    public func authorize(_ caller: Caller, tenantID: String, vendor: String?) throws(AccessDenied) {
        guard let tokenTenant = caller.tenantID, TenantID.same(tokenTenant, tenantID) else {
            throw AccessDenied(
                .tenantMismatch,
                caller.tenantID == nil
                    ? "The token names no tenant ('tid'), so it may write for none."
                    : "The token's tenant ('tid') is not the body's azureTenantId.")
        }
        if let allowList,
            let denial = allowList.current(now: .now).denial(for: caller, tenantID: tenantID, vendor: vendor)
        {
            throw denial
        }
    }
}

extension KeySource {
    /// Whether this source holds the HS256 secret (rather than JWKS keys).
    var isSecret: Bool {
        if case .hmacSecretFile = self { return true }
        return false
    }
}
