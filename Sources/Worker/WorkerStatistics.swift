import Synchronization

/// Counters the worker updates from its polling and delivery threads.
public final class WorkerStatistics: Sendable {
    /// Records taken from the input topic.
    public let consumed = Atomic<Int>(0)
    /// Entities acknowledged on the output topic.
    public let created = Atomic<Int>(0)
    /// Dead letters acknowledged on the dead-letter topic.
    public let deadLettered = Atomic<Int>(0)
    /// Records fetched for a partition that was no longer assigned (left to its new owner).
    public let skippedUnassigned = Atomic<Int>(0)
    /// Records published nowhere (each one stops the worker).
    public let failed = Atomic<Int>(0)
    /// The most records ever in flight at once.
    public let peakInFlight = Atomic<Int>(0)
    /// The most bytes records in flight ever held at once (``InFlightBudget``).
    public let peakInFlightBytes = Atomic<Int>(0)
    /// Offset commits the coordinator accepted.
    public let commits = Atomic<Int>(0)
    /// Partition assignments and revocations served.
    public let rebalances = Atomic<Int>(0)

    public init() {}
}
