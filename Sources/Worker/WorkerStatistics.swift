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

/// What a run did, printed at the end of `--until-caught-up` and `demo`.
public struct WorkerSummary: Sendable, CustomStringConvertible {
    public var consumed: Int
    public var created: Int
    public var deadLettered: Int
    public var seconds: Double

    public var eventsPerSecond: Double { seconds > 0 ? Double(consumed) / seconds : 0 }

    public var description: String {
        "consumed=\(consumed) created=\(created) dead-lettered=\(deadLettered) "
            + "seconds=\(formatted(seconds, digits: 3)) events/s=\(formatted(eventsPerSecond, digits: 0))"
    }

    init(_ statistics: WorkerStatistics, seconds: Double) {
        consumed = statistics.consumed.load(ordering: .relaxed)
        created = statistics.created.load(ordering: .relaxed)
        deadLettered = statistics.deadLettered.load(ordering: .relaxed)
        self.seconds = seconds
    }
}

/// A fixed-point rendering without Foundation's locale-dependent formatters.
func formatted(_ value: Double, digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (value * scale).rounded()
    guard digits > 0 else { return String(Int(scaled)) }
    let whole = Int(scaled / scale)
    let fraction = String(Int(abs(scaled.truncatingRemainder(dividingBy: scale))))
    return "\(whole)." + String(repeating: "0", count: digits - fraction.count) + fraction
}
