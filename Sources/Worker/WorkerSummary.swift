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
