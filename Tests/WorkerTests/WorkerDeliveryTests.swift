import Foundation
import Kafka
import KafkaTestSupport
import SampleEvents
import Testing

@testable import Worker

/// The worker against the embedded cluster, in process.
@Suite(.serialized) struct WorkerDeliveryTests {
    @Test func everyInputGetsExactlyOneOutputInOrderWithTheContractsBytes() async throws {
        let bed = try KafkaTestBed()
        let count = 20_000
        let valid = try bed.load(count) { index in
            index % 3 == 0 ? [KafkaHeader(name: "authorization", value: Array("Bearer t-\(index)".utf8))] : []
        }
        let summary = try await bed.worker(group: "exactly-once-each").run()
        #expect(summary.consumed == count)
        #expect(summary.created == valid)
        #expect(summary.deadLettered == count - valid)
        let (_, deadLetters) = try bed.verifyOutputs(inputCount: count, expectedCreated: valid, allowDuplicates: false)
        #expect(deadLetters.allSatisfy { $0.headers.allSatisfy { $0.name != "authorization" } })
        let committed = try bed.committedOffsets(group: "exactly-once-each")
        #expect(committed.values.reduce(0, +) == Int64(count), "the group committed every input")
    }

    @Test func retriableProduceErrorsLoseAndReorderNothing() async throws {
        let bed = try KafkaTestBed()
        let count = 3_000
        let valid = try bed.load(count)
        // One produce request in flight: with more, the embedded cluster (which checks an
        // idempotent producer's sequence numbers only for transactional ones) can store a
        // later batch while an earlier refused one waits for its retry, and librdkafka
        // then reports the earlier one persisted though it was never stored. A real
        // broker refuses the out-of-sequence batch; the product's default stays 5.
        var configuration = bed.workerConfiguration(group: "retriable")
        configuration.kafka["max.in.flight.requests.per.connection"] = "1"
        bed.cluster.pushRequestErrors(.produce, Array(repeating: .notEnoughReplicas, count: 30))
        let summary = try await Worker(configuration: configuration, logger: KafkaTestBed.warningsOnly).run()
        #expect(summary.consumed == count)
        try bed.verifyOutputs(inputCount: count, expectedCreated: valid, allowDuplicates: false)
    }

    @Test func aRecordPublishableNowhereStopsTheWorkerWithoutCommittingPastIt() async throws {
        let bed = try KafkaTestBed(partitions: 1, outputPartitions: 1)
        try bed.load(200)
        // Every produce request from here on is refused for good: entities and dead letters alike.
        bed.cluster.pushRequestErrors(.produce, Array(repeating: .topicAuthorizationFailed, count: 10_000))
        let worker = bed.worker(group: "permanent")
        await #expect {
            _ = try await worker.run()
        } throws: { error in
            (error as? WorkerError)?.codeName == "UNPUBLISHABLE_RECORD"
                && String(describing: error).contains("\(bed.topics.input)/0@")
        }
        bed.cluster.clearRequestErrors(.produce)
        let committed = try bed.committedOffsets(group: "permanent")[0] ?? -1
        #expect(committed <= 0, "nothing was committed past the first unpublishable record (committed \(committed))")
        #expect(worker.health.current == .failed)
    }

    @Test func anOutputTopicThatNeverAppearsStopsTheWorkerAfterTheBoundNamingIt() async throws {
        // Nothing to consume: nothing is published, so the only one to notice is the start-up check.
        let bed = try KafkaTestBed(partitions: 1, outputPartitions: 1)
        var configuration = bed.workerConfiguration(group: "no-output", untilCaughtUp: false)
        configuration.topics.output = "never-created-\(UInt32.random(in: 0...UInt32.max))"
        let worker = Worker(configuration: configuration, logger: KafkaTestBed.warningsOnly)
        let started = ContinuousClock.now
        await #expect {
            _ = try await worker.run()
        } throws: { error in
            (error as? WorkerError)?.codeName == "KAFKA"
                && String(describing: error).contains(configuration.topics.output)
        }
        // A topic may be unknown for a while after its creation: 30 s before that is permanent.
        #expect(started.duration(to: .now) > .seconds(25))
        #expect(worker.health.current == .failed)
    }

    @Test func twoWorkersUntilCaughtUpBothExitWithCountsThatAddUp() async throws {
        let bed = try KafkaTestBed()
        let count = 6_000
        let valid = try bed.load(count)
        let first = bed.worker(group: "pair")
        let second = bed.worker(group: "pair")
        async let one = first.run()
        async let two = second.run()
        let summaries = try await [one, two]
        #expect(summaries.map(\.consumed).reduce(0, +) == count)
        #expect(summaries.map(\.created).reduce(0, +) == valid)
        #expect(summaries.map(\.deadLettered).reduce(0, +) == count - valid)
        try bed.verifyOutputs(inputCount: count, expectedCreated: valid, allowDuplicates: false)
    }

    @Test(arguments: [2, 3])
    func workersJoiningAndLeavingMidStreamLoseNothing(workers: Int) async throws {
        // Churn redelivers what was not yet committed: room for the duplicates
        // within the embedded cluster's retention of 5 MiB a partition.
        let bed = try KafkaTestBed(outputPartitions: 16)
        let count = 12_000
        let valid = try bed.load(count)
        let group = "churn-\(workers)"
        let leaver = bed.worker(group: group, untilCaughtUp: false)
        let leaving = Task { try await leaver.run() }
        var stayers: [Task<WorkerSummary, any Error>] = []
        for _ in 0..<(workers - 1) {
            let stayer = bed.worker(group: group)
            stayers.append(Task { try await stayer.run() })
        }
        let joiner = bed.worker(group: group)
        let joined = try await eventually(timeout: .seconds(30)) {
            try bed.recordCount(bed.topics.output) > 0
        }
        #expect(joined)
        stayers.append(Task { try await joiner.run() })
        try await Task.sleep(for: .seconds(2))
        leaver.requestStop()
        _ = try await leaving.value
        for stayer in stayers { _ = try await stayer.value }
        try bed.verifyOutputs(inputCount: count, expectedCreated: valid, allowDuplicates: true)
    }

    @Test func aFullInFlightWindowStopsConsumingInsteadOfGrowing() async throws {
        let bed = try KafkaTestBed()
        let count = 1_500
        let valid = try bed.load(count)
        var configuration = bed.workerConfiguration(group: "tiny-window")
        configuration.maxInFlight = 100
        let worker = Worker(configuration: configuration, logger: .init(label: "test"))
        let summary = try await worker.run()
        #expect(summary.consumed == count)
        let peak = worker.statistics.peakInFlight.load(ordering: .relaxed)
        #expect(peak > 0 && peak <= 100, "in-flight records peaked at \(peak)")
        try bed.verifyOutputs(inputCount: count, expectedCreated: valid, allowDuplicates: false)
    }
}
