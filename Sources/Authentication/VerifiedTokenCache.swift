import Crypto
import Synchronization

import struct Foundation.Date

/// Tokens already checked, by the SHA-256 of the token: a vendor reuses one token for many
/// events, so its signature is checked once and each later event costs a hash and a lookup.
///
/// Accepted and refused tokens are kept apart, each bounded: anyone can make refused tokens,
/// so a flood of them can only flush the refused side, never the accepted one (whose entries
/// need a valid signature). When a side is full, its stale entries go (accepted tokens past
/// `exp` plus the skew); if none were stale, the whole side is forgotten, which costs one
/// signature check per live token. Everything is forgotten when the keys change.
///
/// Shared by every thread that authenticates, hence the lock; it is held for a lookup or an
/// insertion only.
final class VerifiedTokenCache: Sendable {
    private let capacity: Int
    private let state = Mutex(State())

    private struct State {
        var accepted: [SHA256Digest: Caller] = [:]
        var refused: [SHA256Digest: AccessDenied] = [:]
        var keyGeneration = 0
    }

    enum Entry {
        case accepted(Caller)
        case refused(AccessDenied)
    }

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The entry for `digest`, forgetting everything first if the keys changed since it was filled.
    func lookup(_ digest: SHA256Digest, keyGeneration: Int) -> Entry? {
        state.withLock { state in
            if state.keyGeneration != keyGeneration {
                state = State(keyGeneration: keyGeneration)
                return nil
            }
            if let caller = state.accepted[digest] { return .accepted(caller) }
            return state.refused[digest].map(Entry.refused)
        }
    }

    /// Remembers a verdict reached with the keys of `keyGeneration`. `staleBefore` is the
    /// time before which an accepted token's expiry makes it stale.
    func store(_ entry: Entry, for digest: SHA256Digest, keyGeneration: Int, staleBefore: Date) {
        guard capacity > 0 else { return }
        state.withLock { state in
            guard state.keyGeneration == keyGeneration else { return }
            switch entry {
            case .accepted(let caller):
                if state.accepted.count >= capacity {
                    state.accepted = state.accepted.filter { $0.value.expiresAt >= staleBefore }
                    if state.accepted.count >= capacity { state.accepted.removeAll(keepingCapacity: true) }
                }
                state.accepted[digest] = caller
            case .refused(let denial):
                if state.refused.count >= capacity { state.refused.removeAll(keepingCapacity: true) }
                state.refused[digest] = denial
            }
        }
    }

    /// Entries held now, accepted and refused (for tests).
    var counts: (accepted: Int, refused: Int) {
        state.withLock { ($0.accepted.count, $0.refused.count) }
    }
}
