import Synchronization

/// Where the worker is in its life, for logs, `/readyz` and `/livez`.
public final class WorkerHealth: Sendable {
    public enum State: String, Sendable {
        case starting, joining, consuming, draining, stopped, failed
    }

    private let state = Mutex(State.starting)

    public init() {}

    public var current: State { state.withLock { $0 } }

    /// A failed worker stays failed.
    func set(_ new: State) {
        state.withLock { if $0 != .failed { $0 = new } }
    }
}
