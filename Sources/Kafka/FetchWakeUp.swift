import Dispatch
import Synchronization

import class Foundation.Thread

/// Wakes a consumer's fetchers each time its application has taken a quarter of
/// librdkafka's prefetch bound, so that a full prefetch queue is refilled as soon as
/// it has room instead of up to a second later.
///
/// librdkafka 2.0.2 stops fetching while the consumer's queue holds
/// `queued.max.messages.kbytes` (or `queued.min.messages`) and decides again only
/// when the partition leader's broker thread wakes for something else: another
/// request's answer, or its one-second timeout (`rd_kafka_max_block_ms`). An
/// application that drains the queue in less than a second then waits for the rest
/// of it with nothing to do; librdkafka 2.2 added `fetch.queue.backoff.ms` for
/// this. No public call wakes a broker thread, but a request does: each wake-up
/// asks the leaders of the assigned partitions for their end offsets (one
/// ListOffsets a leader, on a thread of its own, the answer unused). Written here
/// because neither librdkafka 2.0.2 nor any library on top of it offers the
/// wake-up. With follower fetching (`client.rack`) the fetching broker may not be
/// the leader, and the wake-up misses it.
///
/// The wake-ups follow consumption, not the clock: an idle or caught-up consumer
/// sends none, and one that drains its whole queue every second sends about four.
public final class FetchWakeUp: Sendable {
    /// How much the application takes between two wake-ups.
    public struct Interval: Sendable, Equatable {
        /// Bytes taken (keys, values, headers) after which a wake-up is due.
        public var bytes: Int
        /// Messages taken after which a wake-up is due, whatever their size.
        public var messages: Int

        /// Each at least 1.
        public init(bytes: Int, messages: Int) {
            self.bytes = max(1, bytes)
            self.messages = max(1, messages)
        }

        /// A quarter of the prefetch bounds `configuration` gives librdkafka
        /// (`queued.max.messages.kbytes`, `queued.min.messages`, or their defaults).
        public init(quarterOfPrefetchIn configuration: KafkaConfiguration) {
            let kilobytes = configuration["queued.max.messages.kbytes"].flatMap { Int($0) } ?? 65_536
            let messages = configuration["queued.min.messages"].flatMap { Int($0) } ?? 100_000
            self.init(bytes: kilobytes * 1024 / 4, messages: messages / 4)
        }
    }

    private struct State {
        var bytes = 0
        var messages = 0
        var stopping = false
    }

    private let consumer: KafkaConsumer
    private let interval: Interval
    private let state = Mutex(State())
    private let wakeUpCount = Atomic<Int>(0)
    /// Signalled when a wake-up is due and on stop.
    private let due = DispatchSemaphore(value: 0)
    /// Signalled when the thread has finished.
    private let finished = DispatchSemaphore(value: 0)

    /// Starts the thread that sends the wake-ups; `stop` ends it, before the consumer closes.
    public init(consumer: KafkaConsumer, interval: Interval) {
        self.consumer = consumer
        self.interval = interval
        let thread = Thread { [self] in run() }
        thread.name = "kafka-fetch-wake-up"
        thread.start()
    }

    /// Wake-ups sent so far.
    public var wakeUps: Int { wakeUpCount.load(ordering: .relaxed) }

    /// Counts what the application took from the consumer (once a poll); a wake-up
    /// is sent once the interval is reached, without waiting for it.
    public func taken(messages: Int, bytes: Int) {
        let isDue = state.withLock { state in
            state.messages += messages
            state.bytes += bytes
            guard state.messages >= interval.messages || state.bytes >= interval.bytes else { return false }
            state.messages = 0
            state.bytes = 0
            return true
        }
        if isDue { due.signal() }
    }

    /// Ends the thread, after the wake-up it may be sending.
    public func stop() {
        let first = state.withLock { state in
            defer { state.stopping = true }
            return !state.stopping
        }
        guard first else { return }
        due.signal()
        finished.wait()
    }

    private func run() {
        while true {
            due.wait()
            if state.withLock({ $0.stopping }) { break }
            guard let partitions = try? consumer.assignment(), !partitions.isEmpty else { continue }
            // The answer is not needed: the request woke each leader's broker thread.
            _ = try? consumer.endOffsets(partitions, timeout: .seconds(1))
            wakeUpCount.add(1, ordering: .relaxed)
        }
        finished.signal()
    }
}
