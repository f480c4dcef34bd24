import ArgumentParser
import Foundation
import Kafka
import Synchronization

/// Times a stream of records into some topics from outside, as a user would see
/// it: it asks the partitions' leaders for their end offsets every few
/// milliseconds and notes when the first record arrived and when the total
/// reached a count. End offsets count every record, even those the
/// embedded cluster has since dropped to stay within 5 MiB a partition, and
/// neither client under test is slowed by being read.
final class OutputWatcher: Sendable {
    private struct Progress {
        /// When the total first reached each count seen.
        var samples: [(time: ContinuousClock.Instant, total: Int64, ownCPU: Double)] = []
        var error: KafkaError?
        var stop = false
    }

    private let progress = Mutex(Progress())
    private let done = DispatchSemaphore(value: 0)

    init(topics: [String], partitions: Int32, bootstrap: String) throws(KafkaError) {
        var configuration = KafkaConfiguration()
        configuration.bootstrapServers = bootstrap
        configuration.groupID = "usp-bench-watcher"
        let consumer = try KafkaConsumer(configuration: configuration)
        let watched = topics.flatMap { topic in (0..<partitions).map { TopicPartition(topic: topic, partition: $0) } }
        let thread = Thread { [self] in
            watch(watched, with: consumer)
            try? consumer.close()
            done.signal()
        }
        thread.name = "usp-bench-watcher"
        thread.start()
    }

    /// From the first record to the `count`th; waits up to a minute for it.
    func span(toRecord count: Int) throws -> OutputSpan {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if progress.withLock({ ($0.samples.last?.total ?? 0) >= count || $0.error != nil }) { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        progress.withLock { $0.stop = true }
        done.wait()
        let state = progress.withLock { $0 }
        if let error = state.error { throw error }
        guard let first = state.samples.first(where: { $0.total > 0 }),
            let last = state.samples.first(where: { $0.total >= count })
        else {
            throw ValidationError("\(state.samples.last?.total ?? 0) of \(count) records arrived")
        }
        return OutputSpan(
            seconds: max(first.time.duration(to: last.time).seconds, 0.001), ownCPU: last.ownCPU - first.ownCPU)
    }

    private func watch(_ partitions: [TopicPartition], with consumer: KafkaConsumer) {
        while !progress.withLock({ $0.stop }) {
            do {
                let total = try consumer.endOffsets(partitions, timeout: .seconds(5)).reduce(0) { $0 + $1.offset }
                let now = ContinuousClock.now
                let ownCPU = CPUTime.now().own
                progress.withLock { state in
                    if total > (state.samples.last?.total ?? 0) { state.samples.append((now, total, ownCPU)) }
                }
            } catch {
                progress.withLock { $0.error = error }
                return
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
    }
}

/// The time from a stream's first record to its last, and the CPU this process (the
/// embedded cluster, and the watcher) used meanwhile.
struct OutputSpan {
    var seconds = 0.0
    var ownCPU = 0.0
}
