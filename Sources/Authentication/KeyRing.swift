import Dispatch
import Logging
import Synchronization

/// The current keys of one source, and how they are kept current: a file is read again
/// when it changes; a URL is fetched again when a token names a key it lacks (at most once
/// per ``KeyRefreshPolicy/minimumInterval``) and once its keys are
/// ``KeyRefreshPolicy/maximumAge`` old.
///
/// Shared by every thread that verifies tokens, hence the lock; a refresh runs as a task
/// and replaces the keys when it brings a different document, so verification never waits
/// for a fetch unless it asked for one.
final class KeyRing: Sendable {
    let source: KeySource
    private let policy: KeyRefreshPolicy
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var keys: KeySet
        /// Counts key changes, so caches of verified tokens know to forget.
        var generation = 0
        var loadedAt: ContinuousClock.Instant
        var lastAttempt: ContinuousClock.Instant
        /// The file's signature when it was last read (before the read, so a change during
        /// the read is seen at the next check).
        var fileSignature: FileSignature?
        var lastFileCheck: ContinuousClock.Instant
        var refresh: PendingRefresh?
    }

    private init(
        source: KeySource, keys: KeySet, fileSignature: FileSignature?, policy: KeyRefreshPolicy, logger: Logger
    ) {
        self.source = source
        self.policy = policy
        self.logger = logger
        let now = ContinuousClock.now
        state = Mutex(
            State(keys: keys, loadedAt: now, lastAttempt: now, fileSignature: fileSignature, lastFileCheck: now))
    }

    /// Loads the source's keys; fails when it cannot be read or holds no usable key.
    static func load(_ source: KeySource, policy: KeyRefreshPolicy, logger: Logger)
        async throws(AuthenticationSetupError)
        -> KeyRing
    {
        let signature = source.file.flatMap(FileSignature.init(path:))
        let keys = try await source.load(timeout: policy.waitTimeout)
        let ring = KeyRing(source: source, keys: keys, fileSignature: signature, policy: policy, logger: logger)
        ring.logLoaded(keys)
        return ring
    }

    /// The keys now.
    var keys: KeySet { state.withLock { $0.keys } }

    /// Starts a background refresh when the source may have changed (a file's signature
    /// moved, checked at most once per ``KeyRefreshPolicy/fileCheckInterval``; the URL's
    /// keys are too old). Returns the key generation. Cheap enough for every request.
    func maintain(now: ContinuousClock.Instant) -> Int {
        state.withLock { state in
            switch source {
            case .jwksURL:
                if state.refresh == nil, now - state.loadedAt >= policy.maximumAge,
                    now - state.lastAttempt >= policy.minimumInterval
                {
                    _ = startRefresh(&state, now: now)
                }
            case .jwksFile(let path), .hmacSecretFile(let path):
                if now - state.lastFileCheck >= policy.fileCheckInterval {
                    state.lastFileCheck = now
                    if state.refresh == nil, FileSignature(path: path) != state.fileSignature {
                        _ = startRefresh(&state, now: now)
                    }
                }
            }
            return state.generation
        }
    }

    /// For a token whose key this ring lacks: the refresh that may bring it (one under
    /// way, or a new one when the file changed or the URL may be fetched again), or nil
    /// when none could.
    func refreshForMissingKey(now: ContinuousClock.Instant) -> PendingRefresh? {
        state.withLock { state in
            if let pending = state.refresh { return pending }
            switch source {
            case .jwksURL:
                guard now - state.lastAttempt >= policy.minimumInterval else { return nil }
            case .jwksFile(let path), .hmacSecretFile(let path):
                guard FileSignature(path: path) != state.fileSignature else { return nil }
            }
            return startRefresh(&state, now: now)
        }
    }

    private func startRefresh(_ state: inout State, now: ContinuousClock.Instant) -> PendingRefresh {
        if let pending = state.refresh { return pending }
        let pending = PendingRefresh()
        state.refresh = pending
        state.lastAttempt = now
        Task { await self.refresh(pending) }
        return pending
    }

    private func refresh(_ pending: PendingRefresh) async {
        let signature = source.file.flatMap(FileSignature.init(path:))
        let result: Result<KeySet, AuthenticationSetupError>
        do {
            result = .success(try await source.load(timeout: policy.waitTimeout))
        } catch {
            result = .failure(error)
        }
        let changed = state.withLock { state in
            state.refresh = nil
            // Also after a failure: a broken file is read again only once it changes again.
            state.fileSignature = signature
            guard case .success(let keys) = result else { return false }
            state.loadedAt = .now
            guard keys.documentDigest != state.keys.documentDigest else { return false }
            state.keys = keys
            state.generation += 1
            return true
        }
        switch result {
        case .success(let keys) where changed:
            logLoaded(keys)
        case .success:
            break
        case .failure(let error):
            logger.error(
                "keys could not be refreshed; the previous ones stay in use",
                metadata: ["source": "\(source)", "error": "\(error.message)"])
        }
        pending.finish()
    }

    private func logLoaded(_ keys: KeySet) {
        var metadata: Logger.Metadata = ["source": "\(source)", "keys": "\(keys.count)"]
        if !keys.ignored.isEmpty { metadata["ignored"] = "\(keys.ignored)" }
        logger.info("verification keys loaded", metadata: metadata)
    }
}

/// A refresh under way, which any number of threads and tasks may wait for.
final class PendingRefresh: Sendable {
    // DispatchGroup is thread-safe; entered once at creation, left once when the refresh ends.
    private let group = DispatchGroup()

    init() { group.enter() }

    func finish() { group.leave() }

    /// Blocks the calling thread until the refresh ends or `timeout` passes. Never call it
    /// from a Swift concurrency task (use `wait()`): the refresh itself runs on that pool.
    func wait(timeout: Duration) {
        _ = group.wait(timeout: .now() + .nanoseconds(Int(min(timeout / .seconds(1), 3_600) * 1e9)))
    }

    /// Suspends until the refresh ends (a fetch is bounded by its own timeout).
    func wait() async {
        await withCheckedContinuation { continuation in
            group.notify(queue: .global()) { continuation.resume() }
        }
    }
}
