import ArgumentParser
import CreatePipeline
import Foundation
import Kafka
import SampleEvents
import Synchronization

/// `usp-bench worker`: the worker end to end on the embedded cluster, beside
/// two references measured in the same run on the same cluster — a kcat
/// consumer piped into a kcat producer (a relay that does no work, the
/// ceiling here) and the pipeline alone.
///
/// With `--event-size` it is a memory benchmark instead: valid events padded to
/// about that size (`usp-bench worker --events 3000 --event-size 1048576` for the
/// issue's burst of 1 MiB records), four to an input partition so the embedded
/// cluster keeps them all, no references; it prints the worker's peak RSS.
struct WorkerBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "End-to-end worker throughput and memory against a kcat relay and the pipeline alone.")

    @Option(help: "Events to load (10% invalid).")
    var events = 200_000

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
        // The mock keeps 5 MiB per partition: stay well under it everywhere.
        let partitions = Int32(max(8, (totalBytes * 2) / (4 << 20) + 1))
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.close() }
        for topic in ["input", "relay", "output", "dlq"] {
            try cluster.createTopic(topic, partitions: partitions)
        }
        print("events: \(events), \(totalBytes / max(events, 1)) bytes on average, \(partitions) partitions a topic")

        let loadSeconds = try load(bodies, bootstrap: cluster.bootstrapServers)
        print("load (Swift producer): \(rate(events, loadSeconds))")

        // Reference 1: a relay that does no work.
        let relayStart = ContinuousClock.now
        try shell(
            "kcat -C -b \(cluster.bootstrapServers) -t input -o beginning -e -q -f '%s\\n' "
                + "| kcat -P -b \(cluster.bootstrapServers) -t relay -q -X sticky.partitioning.linger.ms=0")
        let relayWall = relayStart.duration(to: .now).seconds
        let relaySpan = try timestampSpan(topics: ["relay"], count: events, bootstrap: cluster.bootstrapServers)
        print("kcat relay: wall \(rate(events, relayWall)); steady \(rate(events, relaySpan))")

        // Reference 2: the pipeline alone, one core.
        let pipelineRate = pipelineEventsPerSecond(bodies)
        print("pipeline alone: \(Int(pipelineRate)) events/s on one core")

        let (workerWall, peakKiB) = try runWorker(bootstrap: cluster.bootstrapServers)
        let workerSpan = try timestampSpan(
            topics: ["output", "dlq"], count: events, bootstrap: cluster.bootstrapServers)
        let workerRate = Double(events) / workerSpan
        let relayRate = Double(events) / relaySpan
        print("worker: wall \(rate(events, workerWall)) (group join included); steady \(rate(events, workerSpan))")
        print("worker peak RSS: \(peakKiB / 1024) MiB")
        print(String(format: "worker / relay (steady): %.2f", workerRate / relayRate))
        print(String(format: "pipeline share of a core at the worker's rate: %.3f", workerRate / pipelineRate))
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

    /// Runs the worker until caught up, as a process of its own so its memory is its
    /// own; returns its wall time and peak resident set.
    private func runWorker(bootstrap: String) throws -> (seconds: Double, peakKiB: Int) {
        let executable = worker ?? siblingUSPWorker()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments =
            [
                "run", "--brokers", bootstrap, "--group", "bench", "--input-topic", "input",
                "--output-topic", "output", "--dead-letter-topic", "dlq", "--until-caught-up",
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

    private func load(_ bodies: [[UInt8]], bootstrap: String) throws -> Double {
        var configuration = KafkaConfiguration()
        configuration.bootstrapServers = bootstrap
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
                topic: "input", key: nil, value: body, opaque: UInt64(index), waitingForRoomUpTo: .seconds(60))
        }
        try producer.flush(timeout: .seconds(120))
        guard failed.count.load(ordering: .relaxed) == 0 else { throw ValidationError("loading lost events") }
        return start.duration(to: .now).seconds
    }

    /// Seconds between the first and the last record's create time on these
    /// topics, scaled to `count` records when fewer were read back.
    private func timestampSpan(topics: [String], count: Int, bootstrap: String) throws -> Double {
        var first = Int64.max
        var last = Int64.min
        var seen = 0
        for topic in topics {
            let records = try KafkaConsumer.readRecords(
                topic: topic, count: count - seen, bootstrapServers: bootstrap, timeout: .seconds(10))
            seen += records.count
            for record in records {
                guard let time = record.timestampMilliseconds else { continue }
                first = min(first, time)
                last = max(last, time)
            }
        }
        if seen != count { print("note: read \(seen) of \(count) records back from \(topics)") }
        guard seen > 1 else { throw ValidationError("no records read back from \(topics)") }
        // The span covers the records read back, so the rate is theirs.
        return max(Double(last - first) / 1000, 0.001) * Double(count) / Double(seen)
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
