import AuthenticationTestSupport
import Crypto
import Foundation
import SampleTokens
import Testing

@testable import Authentication

@Suite struct VerifiedTokenCacheTests {
    @Test func aTokenIsVerifiedOnceAndItsExpiryStillCountsOnEveryUse() async throws {
        let fixture = try await Fixture.make { configuration, _ in configuration.clockSkew = .zero }
        let token = try await fixture.bearer(TestClaims(exp: Date().timeIntervalSince1970 + 1.5))
        #expect(fixture.verdict(token).isAccepted)
        #expect(fixture.verdict(token).isAccepted)
        #expect(fixture.access.cacheCounts.accepted == 1)
        try await Task.sleep(for: .milliseconds(1_700))
        #expect(fixture.verdict(token).reason == .expired, "a cached token is refused once it expires")
    }

    @Test func refusedTokensCannotFlushAcceptedOnes() async throws {
        let fixture = try await Fixture.make { configuration, _ in configuration.cacheCapacity = 50 }
        let good = try await fixture.bearer()
        #expect(fixture.verdict(good).isAccepted)
        for index in 0..<500 {
            let forged = try TestTokens.hmacSigned(
                header: #"{"alg":"HS256"}"#, claims: TestClaims(sub: "forged-\(index)"),
                secret: Array("not the configured secret, but long enough".utf8))
            #expect(fixture.verdict("Bearer \(forged)").reason == .invalidSignature)
        }
        let counts = fixture.access.cacheCounts
        #expect(counts.accepted == 1)
        #expect(counts.refused <= 50)
    }

    @Test func acceptedEntriesStayBoundedDroppingExpiredOnesFirst() {
        let cache = VerifiedTokenCache(capacity: 3)
        let now = Date()
        func caller(expiring offset: TimeInterval) -> Caller {
            Caller(
                tenantID: "t", subject: nil, objectID: nil, applicationID: nil, scopes: [], roles: [],
                expiresAt: now.addingTimeInterval(offset), notBefore: nil)
        }
        let digests = (0..<5).map { SHA256Digest.of("token-\($0)") }
        cache.store(.accepted(caller(expiring: -10)), for: digests[0], keyGeneration: 0, staleBefore: now)
        cache.store(.accepted(caller(expiring: 60)), for: digests[1], keyGeneration: 0, staleBefore: now)
        cache.store(.accepted(caller(expiring: 60)), for: digests[2], keyGeneration: 0, staleBefore: now)
        cache.store(.accepted(caller(expiring: 60)), for: digests[3], keyGeneration: 0, staleBefore: now)
        #expect(cache.counts.accepted == 3, "the expired entry made room")
        #expect(cache.lookup(digests[0], keyGeneration: 0) == nil)
        cache.store(.accepted(caller(expiring: 60)), for: digests[4], keyGeneration: 0, staleBefore: now)
        #expect(cache.counts.accepted == 1, "full of live entries: forgotten, then the new one kept")
        #expect(cache.lookup(digests[4], keyGeneration: 1) == nil, "new keys: everything forgotten")
        #expect(cache.counts.accepted == 0)
    }
}

extension SHA256Digest {
    static func of(_ text: String) -> SHA256Digest { SHA256.hash(data: Data(text.utf8)) }
}

extension VerifiedTokenCache.Entry: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.accepted(let a), .accepted(let b)): a == b
        case (.refused(let a), .refused(let b)): a == b
        default: false
        }
    }
}
