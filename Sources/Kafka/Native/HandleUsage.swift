import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts the calls currently using a native librdkafka handle, so that `close`
/// destroys the handle only once no other thread is inside a call on it.
///
/// One atomic word: the low bits count the calls inside, one high bit says
/// "closed". Entering after close fails; close waits for the count to drain.
struct HandleUsage: ~Copyable {
    private static let closedBit = 1 << 60
    private let state = Atomic<Int>(0)

    init() {}

    /// Registers a call; `false` (and nothing registered) once closed.
    @inline(__always)
    func enter() -> Bool {
        let value = state.wrappingAdd(1, ordering: .acquiring).newValue
        if value & Self.closedBit != 0 {
            state.wrappingSubtract(1, ordering: .releasing)
            return false
        }
        return true
    }

    @inline(__always)
    func leave() {
        state.wrappingSubtract(1, ordering: .releasing)
    }

    /// Marks the handle closed. `true` for the one caller that closed it.
    func markClosed() -> Bool {
        state.bitwiseOr(Self.closedBit, ordering: .acquiringAndReleasing).oldValue & Self.closedBit == 0
    }

    var isClosed: Bool { state.load(ordering: .acquiring) & Self.closedBit != 0 }

    /// Waits until at most `allowed` calls are inside (the closing thread's own).
    func waitUntilIdle(allowing allowed: Int = 0) {
        while state.load(ordering: .acquiring) & ~Self.closedBit > allowed {
            usleep(500)
        }
    }
}
