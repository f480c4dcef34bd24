import Foundation
import HTTPListener
import Kafka
import KafkaTestSupport
import Logging
import Testing
import Worker

/// `/readyz` and `/livez` over HTTP, following the worker on the embedded cluster.
@Suite(.serialized) struct HealthEndpointTests {
    private var quietLogger: Logger {
        var logger = Logger(label: "health-test")
        logger.logLevel = .critical
        return logger
    }

    @Test func readinessFollowsTheWorkerThroughJoiningBrokerLossAndRecovery() async throws {
        let bed = try HTTPListenerTestBed(partitions: 3)
        let count = 300
        try bed.load(count)
        let observed = ObservedWorker(configuration: bed.workerConfiguration(group: "health"), logger: quietLogger)
        let running = try await bed.start(observed)
        let client = running.client

        // Joining a group on the embedded cluster takes seconds: not ready yet, but live.
        let joining = try await client.check("/readyz")
        #expect(joining.status == 503, "not ready before joining: \(joining.report)")
        #expect(joining.report.status == "not ready" && !joining.report.reasons.isEmpty)
        #expect(try await client.check("/livez").status == 200)

        var last = joining
        let joined = try await eventually(timeout: .seconds(30)) {
            last = try await client.check("/readyz")
            return last.status == 200
        }
        #expect(joined, "ready once in the group: \(last.report)")
        #expect(last.report.status == "ready" && last.report.worker == "consuming" && last.report.reasons.isEmpty)
        let processed = try await eventually(timeout: .seconds(30)) {
            try await client.scrape()["usp_records_consumed_total"] == Double(count)
        }
        #expect(processed)

        // Every broker down: the producer cannot publish and the group is gone.
        bed.cluster.setBrokerDown(1)
        let lost = try await eventually(timeout: .seconds(30)) {
            last = try await client.check("/readyz")
            return last.status == 503
        }
        #expect(lost, "not ready without a broker: \(last.report)")
        #expect(
            last.report.reasons.contains { $0.contains("producer") || $0.contains("coordinator") }, "\(last.report)")
        // Nothing is waiting to be processed, so nothing is stuck: still live.
        let live = try await client.check("/livez")
        #expect(live.status == 200, "live during the outage: \(live.report)")

        bed.cluster.setBrokerUp(1)
        let recovered = try await eventually(timeout: .seconds(60)) {
            last = try await client.check("/readyz")
            return last.status == 200
        }
        #expect(recovered, "ready again once the broker is back: \(last.report)")

        // And it still works.
        try bed.load(count, from: count)
        let caughtUp = try await eventually(timeout: .seconds(60)) {
            try await client.scrape()["usp_records_consumed_total"].map { $0 >= Double(2 * count) } ?? false
        }
        #expect(caughtUp)
        try await running.stop()
    }

    @Test func aPartitionKeptFromProgressingFailsLivenessUntilItMovesAgain() async throws {
        // The mock cannot refuse produce requests for one topic only: pushed
        // errors apply to every produce request. So the events are loaded
        // first, then every produce request fails with a retriable error:
        // librdkafka keeps retrying, nothing is acknowledged, nothing is
        // committed, and the input's lag stays — a worker alive but stuck, as
        // behind an output topic short of in-sync replicas.
        let bed = try HTTPListenerTestBed(partitions: 2)
        let count = 200
        try bed.load(count)
        bed.cluster.pushRequestErrors(.produce, Array(repeating: .notEnoughReplicas, count: 20_000))
        let bound = Duration.seconds(3)
        // One produce request in flight: with more, the embedded cluster (which checks an
        // idempotent producer's sequence numbers only for transactional ones) can store a
        // later batch while an earlier refused one waits for its retry, and librdkafka
        // then reports the earlier one persisted though it was never stored. A real
        // broker refuses the out-of-sequence batch; the product's default stays 5.
        var configuration = bed.workerConfiguration(group: "stuck")
        configuration.kafka["max.in.flight.requests.per.connection"] = "1"
        let observed = ObservedWorker(configuration: configuration, logger: quietLogger, stuckPartitionTimeout: bound)
        let running = try await bed.start(observed)
        let client = running.client
        let started = ContinuousClock.now

        var last = try await client.check("/livez")
        #expect(last.status == 200, "live at start: \(last.report)")
        let stuck = try await eventually(timeout: .seconds(40)) {
            last = try await client.check("/livez")
            return last.status == 503
        }
        #expect(stuck, "a stuck partition fails /livez: \(last.report)")
        #expect(started.duration(to: .now) > bound, "not before the bound")
        let partitions = last.report.stuckPartitions ?? []
        #expect(!partitions.isEmpty && partitions.allSatisfy { $0.topic == bed.topics.input && $0.lag > 0 })
        #expect(partitions.allSatisfy { $0.secondsWithoutProgress >= 3 }, "\(partitions)")
        #expect(last.report.reasons.contains { $0.contains("without its committed offset moving") })
        #expect(try await client.scrape()["usp_stuck_partitions"].map { $0 >= 1 } == true)
        #expect(running.worker.health.current == .consuming, "the worker itself has not failed")

        // Publishing works again: the partitions move and /livez recovers.
        bed.cluster.clearRequestErrors(.produce)
        let moving = try await eventually(timeout: .seconds(40)) {
            last = try await client.check("/livez")
            return last.status == 200
        }
        #expect(moving, "live again once the partitions progress: \(last.report)")
        let drained = try await eventually(timeout: .seconds(30)) {
            try bed.recordCount(bed.topics.output) + bed.recordCount(bed.topics.deadLetter) == count
        }
        #expect(drained, "every record was published after all")
        var lags: [Int32: Double] = [:]
        let caughtUp = try await eventually(timeout: .seconds(30)) {
            lags = try await client.scrape().lags(topic: bed.topics.input)
            return lags.count == 2 && lags.values.allSatisfy { $0 == 0 }
        }
        #expect(caughtUp, "the lag fell to zero: \(lags)")
        try await running.stop()
    }
}
