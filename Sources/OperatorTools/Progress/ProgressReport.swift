/// Where a running tool is, as a ``ProgressDisplay`` shows it.
public protocol ProgressReport: Sendable {
    /// The part done (0…1), when the total is known.
    var fraction: Double? { get }
    /// Counts and rates, one line for people.
    var status: String { get }
}
