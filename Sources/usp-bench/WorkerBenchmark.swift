import ArgumentParser
import CreatePipeline
import Foundation
import Kafka
import SampleEvents
import Synchronization

/// `usp-bench worker`: the worker end to end on the embedded cluster, beside
/// two references measured in the same run on the same cluster — a kcat
/// consumer piped into a kcat producer (a relay that does no work, the
/// ceiling here) and the pipeline alone. Each run gets fresh topics; rates are timed
/// from outside by watching the destination topics' end offsets (``OutputWatcher``),
/// and each side's CPU time is printed with the cluster's over the same span.
///
/// With `--event-size` it is a memory benchmark instead: valid events padded to
/// about that size (`usp-bench worker --events 3000 --event-size 1048576` for a
/// burst of 1 MiB records), four to an input partition so the embedded
/// cluster keeps them all, no references; it prints the worker's peak RSS.
struct WorkerBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "End-to-end worker throughput and memory against a kcat relay and the pipeline alone.")

    @Option(help: "Events to load (10% invalid).")
    var events = 200_000

    @Option(
        help: """
            Partitions of each topic (input, relay, output, dead letters); default: enough \
            that the embedded cluster keeps every event uncompressed.
            """)
    var partitions: Int32?

    @Option(help: "Brokers in the embedded cluster.")
    var brokers = 3

    @Option(help: "Runs, each on topics of its own, the relay and the worker alternating which goes first.")
    var runs = 1

    @Option(help: "The usp-worker executable (default: beside this one).")
    var worker: String?

    @Option(help: "Pad valid events to about this many bytes (a memory benchmark: no relay, no pipeline reference).")
    var eventSize: Int?

    @Option(
        name: .customLong("worker-argument"),
        help: ArgumentHelp("One more argument for `usp-worker run`; repeatable.", valueName: "argument"))
    var workerArguments: [String] = []

    func run() throws {
        if let eventSize { return try runLargeEvents(size: eventSize) }
        let bodies = (0..<events).map { SampleEvents.mixed($0).body }
        let totalBytes = bodies.reduce(0) { $0 + $1.count }
        // The mock keeps 5 MiB per partition: by default stay well under it everywhere. The
        // input is loaded compressed (lz4), so it fits fewer partitions too; outputs beyond
        // 5 MiB a partition are dropped by the mock, which the end offsets still count.
        let partitions = partitions ?? Int32(max(8, (totalBytes * 2) / (4 << 20) + 1))
        let cluster = try EmbeddedKafkaCluster(brokers: brokers)
        defer { cluster.close() }
        let bootstrap = cluster.bootstrapServers
        print(
            "events: \(events), \(totalBytes / max(events, 1)) bytes on average; \(partitions) partitions a topic, "
                + "\(brokers) brokers")

        let pipelineRate = pipelineEventsPerSecond(bodies)
        print("pipeline alone: \(Int(pipelineRate)) events/s on one core")

        var ratios: [Double] = []
        var workerRates: [Double] = []
        var relayRates: [Double] = []
        var peaks: [Int] = []
        for index in 1...max(1, runs) {
            let topics = RunTopics(run: index, partitions: partitions)
            for topic in [topics.input, topics.relay, topics.output, topics.deadLetter] {
                try cluster.createTopic(topic, partitions: partitions)
            }
            let loadSeconds = try load(bodies, topic: topics.input, bootstrap: bootstrap)
            let kept = try KafkaConsumer.watermarks(topic: topics.input, bootstrapServers: bootstrap)
                .reduce(0) { $0 + Int($1.high - $1.low) }
            guard kept == events else {
                throw ValidationError("the cluster kept \(kept) of \(events) events: use more partitions")
            }
            var relay = (records: 0, span: OutputSpan())
            var worker = (span: OutputSpan(), peakKiB: 0)
            var relayCPU = CPUTime()
            var workerCPU = CPUTime()
            // Alternate which goes first, so that neither always meets a warmer cluster.
            for step in index % 2 == 1 ? ["relay", "worker"] : ["worker", "relay"] {
                let before = CPUTime.now()
                if step == "relay" {
                    relay = try runRelay(topics, bootstrap: bootstrap)
                    relayCPU = CPUTime.now() - before
                } else {
                    worker = try runWorker(topics, bootstrap: bootstrap)
                    workerCPU = CPUTime.now() - before
                }
            }
            let relayRate = Double(relay.records) / relay.span.seconds
            let workerRate = Double(events) / worker.span.seconds
            ratios.append(workerRate / relayRate)
            workerRates.append(workerRate)
            relayRates.append(relayRate)
            peaks.append(worker.peakKiB)
            print(
                String(
                    format: "run %d: load %.0f events/s; relay %.0f events/s; worker %.0f events/s; "
                        + "worker / relay %.2f; worker peak RSS %d MiB",
                    index, Double(events) / loadSeconds, relayRate, workerRate, workerRate / relayRate,
                    worker.peakKiB / 1024))
            print(
                String(
                    format: "  CPU µs an event: relay %.1f, worker %.1f (each whole, start included); "
                        + "the cluster from first output to last: %.1f beside the relay, %.1f beside the worker",
                    relayCPU.children * 1e6 / Double(relay.records), workerCPU.children * 1e6 / Double(events),
                    relay.span.ownCPU * 1e6 / Double(relay.records), worker.span.ownCPU * 1e6 / Double(events)))
        }
        print(
            String(
                format: "median of %d: relay %.0f events/s, worker %.0f events/s, worker / relay %.2f "
                    + "(range %.2f–%.2f); peak RSS %d–%d MiB; the pipeline at %.2f of a core",
                ratios.count, median(relayRates), median(workerRates), median(ratios), ratios.min() ?? 0,
                ratios.max() ?? 0, (peaks.min() ?? 0) / 1024, (peaks.max() ?? 0) / 1024,
                median(workerRates) / pipelineRate))
    }

    /// One run's topics, each of `partitions` partitions.
    private struct RunTopics {
        let input: String
        let relay: String
        let output: String
        let deadLetter: String
        let partitions: Int32

        init(run: Int, partitions: Int32) {
            self.partitions = partitions
            input = "input-\(run)"
            relay = "relay-\(run)"
            output = "output-\(run)"
            deadLetter = "dlq-\(run)"
        }
    }

    /// A kcat consumer piped into a kcat producer, doing no work: the records it
    /// relayed (kcat's line format leaves out the few empty events) and the seconds
    /// from its first record out to its last.
    private func runRelay(_ topics: RunTopics, bootstrap: String) throws -> (records: Int, span: OutputSpan) {
        let watcher = try OutputWatcher(
            topics: [topics.relay], partitions: topics.partitions, bootstrap: bootstrap)
        try shell(
            "kcat -C -b \(bootstrap) -t \(topics.input) -o beginning -e -q -f '%s\\n' "
                + "| kcat -P -b \(bootstrap) -t \(topics.relay) -q -X sticky.partitioning.linger.ms=0")
        let relayed = try KafkaConsumer.watermarks(topic: topics.relay, bootstrapServers: bootstrap)
            .reduce(0) { $0 + Int($1.high) }
        return (relayed, try watcher.span(toRecord: relayed))
    }

    /// The memory benchmark: `events` valid events of about `size` bytes.
    private func runLargeEvents(size: Int) throws {
        // Four events a partition: under the mock's 5 MiB a partition, so it drops no input.
        let inputPartitions = Int32(max(8, (events + 3) / 4))
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.close() }
        try cluster.createTopic("input", partitions: inputPartitions)
        // Outputs are counted by end offsets: the mock may drop the oldest ones.
        try cluster.createTopic("output", partitions: 24)
        try cluster.createTopic("dlq", partitions: 8)
        print("events: \(events) of about \(size) bytes, \(inputPartitions) input partitions")

        var configuration = KafkaConfiguration()
        configuration.bootstrapServers = cluster.bootstrapServers
        configuration["message.max.bytes"] = String(2 * size + 65_536)
        let failed = FailureCount()
        let producer = try KafkaProducer(configuration: configuration) { report in
            if report.error != nil { failed.count.add(1, ordering: .relaxed) }
        }
        // Sixteen bodies, sizes a little below `size` as real events would vary; each
        // event still gets its own entity id (from its coordinates).
        let bodies = (0..<16).map { SampleEvents.valid($0, size: size - $0 * 1_024) }
        let loadStart = ContinuousClock.now
        for index in 0..<events {
            let body = bodies[index % bodies.count]
            try producer.produce(
                topic: "input", partition: Int32(index) % inputPartitions, key: nil, value: body,
                opaque: UInt64(index), waitingForRoomUpTo: .seconds(120))
        }
        try producer.flush(timeout: .seconds(300))
        producer.close(timeout: .seconds(30))
        guard failed.count.load(ordering: .relaxed) == 0 else { throw ValidationError("loading lost events") }
        print("load (Swift producer): \(rate(events, loadStart.duration(to: .now).seconds))")

        let (workerWall, peakKiB) = try runWorker(bootstrap: cluster.bootstrapServers)
        var published = 0
        for topic in ["output", "dlq"] {
            published += Int(
                try KafkaConsumer.watermarks(topic: topic, bootstrapServers: cluster.bootstrapServers)
                    .reduce(0) { $0 + $1.high })
        }
        guard published == events else { throw ValidationError("\(published) outputs for \(events) events") }
        print("worker: wall \(rate(events, workerWall)) (group join included); \(published) outputs")
        print("worker peak RSS: \(peakKiB / 1024) MiB")
    }

    /// The worker, until caught up: seconds from its first output to its last, and its peak RSS.
    private func runWorker(_ topics: RunTopics, bootstrap: String) throws -> (span: OutputSpan, peakKiB: Int) {
        let watcher = try OutputWatcher(
            topics: [topics.output, topics.deadLetter], partitions: topics.partitions, bootstrap: bootstrap)
        let (_, peakKiB) = try runWorker(
            bootstrap: bootstrap, input: topics.input, output: topics.output, deadLetter: topics.deadLetter,
            group: "bench-\(topics.input)")
        return (try watcher.span(toRecord: events), peakKiB)
    }

    /// Runs the worker until caught up, as a process of its own so its memory is its
    /// own; returns its wall time and peak resident set.
    private func runWorker(
        bootstrap: String, input: String = "input", output: String = "output", deadLetter: String = "dlq",
        group: String = "bench"
    ) throws -> (seconds: Double, peakKiB: Int) {
        let executable = worker ?? siblingUSPWorker()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments =
            [
                "run", "--brokers", bootstrap, "--group", group, "--input-topic", input,
                "--output-topic", output, "--dead-letter-topic", deadLetter, "--until-caught-up",
                "--log-format", "text", "--log-level", "warning", "--http-host", "127.0.0.1", "--http-port", "0",
                // The benchmark's events carry no tokens; it measures events, so no HTTP create endpoint.
                "--auth", "none", "--no-http-create",
            ] + workerArguments
        let start = ContinuousClock.now
        try process.run()
        var peakKiB = 0
        while process.isRunning {
            peakKiB = max(peakKiB, peakResidentKiB(of: process.processIdentifier) ?? 0)
            Thread.sleep(forTimeInterval: 0.05)
        }
        let wall = start.duration(to: .now).seconds
        guard process.terminationStatus == 0 else {
            throw ValidationError("the worker exited \(process.terminationStatus)")
        }
        return (wall, peakKiB)
    }

    private func load(_ bodies: [[UInt8]], topic: String, bootstrap: String) throws -> Double {
        var configuration = KafkaConfiguration()
        configuration.bootstrapServers = bootstrap
        // Compressed, so that few partitions hold many events within the mock's 5 MiB each.
        configuration["compression.codec"] = "lz4"
        // Keyless records spread evenly: the sticky partitioner would pile them
        // into one partition at a time, past the mock's 5 MiB a partition.
        configuration["sticky.partitioning.linger.ms"] = "0"
        let failed = FailureCount()
        let producer = try KafkaProducer(configuration: configuration) { report in
            if report.error != nil { failed.count.add(1, ordering: .relaxed) }
        }
        defer { producer.close(timeout: .seconds(30)) }
        let start = ContinuousClock.now
        for (index, body) in bodies.enumerated() {
            try producer.produce(
                topic: topic, key: nil, value: body, opaque: UInt64(index), waitingForRoomUpTo: .seconds(60))
        }
        try producer.flush(timeout: .seconds(120))
        guard failed.count.load(ordering: .relaxed) == 0 else { throw ValidationError("loading lost events") }
        return start.duration(to: .now).seconds
    }

    private func pipelineEventsPerSecond(_ bodies: [[UInt8]]) -> Double {
        let pipeline = CreatePipeline()
        let start = ContinuousClock.now
        var created = 0
        for (index, body) in bodies.enumerated() {
            let context = CreateContext(
                idempotencyBasis: .record(topic: "input", partition: 0, offset: Int64(index)),
                eventTime: GraphTimestamp(unixMilliseconds: 1_700_000_000_000), requestID: "request",
                clientRequestID: nil, responseTime: GraphTimestamp(unixMilliseconds: 1_700_000_000_000))
            if case .created = pipeline.create(body, context: context) { created += 1 }
        }
        precondition(created > 0)
        return Double(bodies.count) / start.duration(to: .now).seconds
    }
}

/// Delivery failures counted from the producer's thread (an `Atomic` cannot
/// be captured by an escaping closure, a class holding one can).
private final class FailureCount: Sendable {
    let count = Atomic<Int>(0)
}

private func rate(_ count: Int, _ seconds: Double) -> String {
    String(format: "%.2f s, %.0f events/s", seconds, Double(count) / seconds)
}

private func shell(_ command: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ValidationError("'\(command)' exited \(process.terminationStatus)")
    }
}

/// VmHWM (peak resident set) of a running process, from /proc.
private func peakResidentKiB(of pid: Int32) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return nil }
    return Int(line.split(separator: " ").dropFirst().first ?? "")
}
