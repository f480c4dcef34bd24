import Foundation
import Logging
import Synchronization

/// The tenant allow-list file, read at start and again when it changes (checked at most
/// once per interval). A change that cannot be read leaves the previous list in force.
///
/// Shared by every thread that authorizes, hence the lock; the file is read outside it.
final class AllowListFile: Sendable {
    let path: String
    private let checkInterval: Duration
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var list: TenantAllowList
        var signature: FileSignature?
        var lastCheck: ContinuousClock.Instant
    }

    init(path: String, checkInterval: Duration, logger: Logger) throws(AuthenticationSetupError) {
        self.path = path
        self.checkInterval = checkInterval
        self.logger = logger
        let signature = FileSignature(path: path)
        let list: TenantAllowList
        do throws(AllowListFormatError) {
            list = try Self.read(path)
        } catch {
            throw .allowListInvalid(path, error.reason)
        }
        state = Mutex(State(list: list, signature: signature, lastCheck: .now))
        logger.info("tenant allow-list loaded", metadata: ["file": "\(path)", "callers": "\(list.callers.count)"])
    }

    /// The list now, read again first if the file changed.
    func current(now: ContinuousClock.Instant) -> TenantAllowList {
        let changed = state.withLock { state in
            guard now - state.lastCheck >= checkInterval else { return false }
            state.lastCheck = now
            let signature = FileSignature(path: path)
            guard signature != state.signature else { return false }
            state.signature = signature
            return true
        }
        guard changed else { return state.withLock { $0.list } }
        do throws(AllowListFormatError) {
            let list = try Self.read(path)
            state.withLock { $0.list = list }
            logger.info(
                "tenant allow-list reloaded", metadata: ["file": "\(path)", "callers": "\(list.callers.count)"])
            return list
        } catch {
            logger.error(
                "tenant allow-list could not be reloaded; the previous one stays in force",
                metadata: ["file": "\(path)", "error": "\(error.reason)"])
            return state.withLock { $0.list }
        }
    }

    private static func read(_ path: String) throws(AllowListFormatError) -> TenantAllowList {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AllowListFormatError(reason: "cannot be read")
        }
        return try TenantAllowList(json: data)
    }
}
