import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a Kafka query again while it fails transiently (``KafkaError/isTransient``),
/// waiting longer between attempts, until it succeeds, fails permanently, or the
/// caller stops it.
///
/// A topic that stays unknown is the one transient error with an end: past
/// `unknownTopicBound` it is taken as a topic that does not exist, and thrown.
/// Cluster outages have no such end here: a caller that needs one passes `deadline`.
public struct KafkaRetry: Sendable {
    /// The wait after the first failure; doubled after each one, up to `maximumDelay`.
    public var initialDelay: Duration
    public var maximumDelay: Duration
    /// How long a topic may stay unknown before that is permanent.
    public var unknownTopicBound: Duration

    public init(
        initialDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(5),
        unknownTopicBound: Duration = .seconds(30)
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.unknownTopicBound = unknownTopicBound
    }

    /// One failed attempt, for the caller's log: the error and the wait before the next.
    public struct Attempt: Sendable {
        public var error: KafkaError
        public var number: Int
        public var delay: Duration
    }

    /// Runs `body` until it returns. Throws its error when the error is permanent,
    /// when a topic stayed unknown past the bound, when `deadline` passes, or (the
    /// last error) once `isCancelled` says so; `onRetry` hears of every transient failure.
    public func run<Result>(
        deadline: ContinuousClock.Instant? = nil,
        isCancelled: () -> Bool = { false },
        onRetry: (Attempt) -> Void = { _ in },
        _ body: () throws(KafkaError) -> Result
    ) throws(KafkaError) -> Result {
        let start = ContinuousClock.now
        var delay = initialDelay
        var number = 0
        while true {
            do {
                return try body()
            } catch {
                number += 1
                let now = ContinuousClock.now
                guard error.isTransient else { throw error }
                if error.code.isUnknownTopicOrPartition, start.duration(to: now) >= unknownTopicBound { throw error }
                if let deadline, now + delay >= deadline { throw error }
                if isCancelled() { throw error }
                onRetry(Attempt(error: error, number: number, delay: delay))
                Self.sleep(delay, unless: isCancelled)
                delay = min(delay * 2, maximumDelay)
            }
        }
    }

    /// Sleeps in short steps so that a cancellation is seen within 50 ms.
    public static func sleep(_ duration: Duration, unless isCancelled: () -> Bool) {
        let end = ContinuousClock.now + duration
        while !isCancelled() {
            let left = ContinuousClock.now.duration(to: end)
            if left <= .zero { return }
            let step = min(left, .milliseconds(50))
            usleep(UInt32(step.timeoutMilliseconds) * 1000)
        }
    }
}
