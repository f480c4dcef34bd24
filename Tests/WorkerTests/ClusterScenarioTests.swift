import Foundation
import Kafka
import KafkaTestSupport
import Testing

@testable import Worker

/// What real clusters do to a fleet of workers, tried as an operator would:
/// the built `usp-worker run` processes against a 3-broker `usp-worker broker`
/// process, with 60,000 events on 12 partitions.
///
/// Each scenario checks every output against the contract's, byte for byte
/// (`KafkaTestBed.verifyOutputs`): one per input, and a duplicate (after a
/// kill or an outage) identical to its first copy.
@Suite(.serialized) struct ClusterScenarioTests {
    static let events = 60_000
    static let shutdownTimeout = 10

    struct Scenario {
        let broker: BrokerProcess
        let bed: KafkaTestBed
        let valid: Int

        init() throws {
            broker = try BrokerProcess(brokers: 3)
            bed = try KafkaTestBed(broker: broker, partitions: 12, outputPartitions: 12)
            valid = try bed.load(ClusterScenarioTests.events)
        }

        /// `usp-worker run` in the group. Outputs are compressed, as the loads are,
        /// so that the embedded cluster's 5 MiB a partition holds them.
        func worker(group: String, untilCaughtUp: Bool, http: Bool = false) throws -> WorkerProcess {
            var arguments = [
                "run", "--brokers", bed.bootstrapServers, "--group", group,
                "--input-topic", bed.topics.input, "--output-topic", bed.topics.output,
                "--dead-letter-topic", bed.topics.deadLetter, "--auth", "none", "--no-http-create",
                "--kafka-property", "session.timeout.ms=6000", "--kafka-property", "compression.type=lz4",
                "--commit-interval-ms", "200", "--shutdown-timeout", "\(ClusterScenarioTests.shutdownTimeout)",
                "--http-host", "127.0.0.1", "--http-port", "0",
            ]
            if untilCaughtUp { arguments.append("--until-caught-up") }
            if !http { arguments += ["--log-format", "text"] }
            return try WorkerProcess(arguments)
        }

        var published: Int {
            get throws { try bed.recordCount(bed.topics.output) + bed.recordCount(bed.topics.deadLetter) }
        }

        /// Waits until a first share of the events has outputs: the stream is under way.
        func waitUntilMidStream(_ share: Int = 6) throws -> Bool {
            try eventually(timeout: .seconds(90)) { try published >= ClusterScenarioTests.events / share }
        }

        /// The group's committed offsets equal the input's end on every partition.
        func expectCommittedAtTheEnd(group: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let committed = try bed.committedOffsets(group: group)
            for (partition, _, high) in try bed.watermarks(bed.topics.input) {
                #expect(
                    committed[partition] == high, "partition \(partition) committed to its end \(high)",
                    sourceLocation: sourceLocation)
            }
        }
    }

    @Test func twoWorkersInOneGroupBothExitZeroWithOneOutputPerInput() throws {
        let scenario = try Scenario()
        let first = try scenario.worker(group: "pair", untilCaughtUp: true)
        let second = try scenario.worker(group: "pair", untilCaughtUp: true)
        #expect(first.waitForExit(timeout: .seconds(120)) == 0, "first worker: \(first.log.suffix(2000))")
        #expect(second.waitForExit(timeout: .seconds(120)) == 0, "second worker: \(second.log.suffix(2000))")
        try scenario.bed.verifyOutputs(inputCount: Self.events, expectedCreated: scenario.valid, allowDuplicates: false)
        try scenario.expectCommittedAtTheEnd(group: "pair")
    }

    @Test func sigtermMidStreamThenASecondWorkerLoseAndDuplicateNothing() throws {
        let scenario = try Scenario()
        let first = try scenario.worker(group: "handover", untilCaughtUp: false)
        #expect(try scenario.waitUntilMidStream(), "the first worker published")
        first.signal(SIGTERM)
        #expect(first.waitForExit(timeout: .seconds(Self.shutdownTimeout + 2)) == 0, "\(first.log.suffix(2000))")
        #expect(try scenario.published < Self.events, "SIGTERM landed mid-stream")

        let second = try scenario.worker(group: "handover", untilCaughtUp: true)
        #expect(second.waitForExit(timeout: .seconds(120)) == 0, "second worker: \(second.log.suffix(2000))")
        try scenario.bed.verifyOutputs(inputCount: Self.events, expectedCreated: scenario.valid, allowDuplicates: false)
        try scenario.expectCommittedAtTheEnd(group: "handover")
    }

    @Test func sigkillMidStreamThenARestartFinishesWithIdenticalDuplicatesOnly() throws {
        let scenario = try Scenario()
        let victim = try scenario.worker(group: "crash", untilCaughtUp: false)
        #expect(try scenario.waitUntilMidStream(), "the worker published before it was killed")
        victim.signal(SIGKILL)
        #expect(victim.waitForExit(timeout: .seconds(10)) != nil)
        #expect(try scenario.published < Self.events, "the kill landed mid-stream")

        // The killed member never left: the restarted one waits out its session (6 s).
        let restarted = try scenario.worker(group: "crash", untilCaughtUp: true)
        #expect(restarted.waitForExit(timeout: .seconds(120)) == 0, "restarted worker: \(restarted.log.suffix(2000))")
        try scenario.bed.verifyOutputs(inputCount: Self.events, expectedCreated: scenario.valid, allowDuplicates: true)
        try scenario.expectCommittedAtTheEnd(group: "crash")
    }

    @Test func everyBrokerDownForTwentySecondsIsRiddenOutWhileReadyzSaysSoAndLivezStaysHealthy() throws {
        let scenario = try Scenario()
        let worker = try scenario.worker(group: "outage", untilCaughtUp: true, http: true)
        let port = try #require(worker.listenerPort(timeout: .seconds(30)), "listener port: \(worker.log.suffix(2000))")
        #expect(try scenario.waitUntilMidStream(), "the worker published before the outage")
        #expect(try scenario.published < Self.events, "the outage starts mid-stream")

        try scenario.broker.setAllBrokersDown()
        let outageStart = ContinuousClock.now
        var readyDuringOutage: [Int] = []
        var liveDuringOutage: [Int] = []
        while outageStart.duration(to: .now) < .seconds(20) {
            Thread.sleep(forTimeInterval: 0.5)
            liveDuringOutage.append(HTTPStatus.get(port: port, path: "/livez"))
            // Readiness follows librdkafka's statistics, once a second: give it a few.
            if outageStart.duration(to: .now) > .seconds(5) {
                readyDuringOutage.append(HTTPStatus.get(port: port, path: "/readyz"))
            }
        }
        try scenario.broker.setAllBrokersUp()
        #expect(
            !readyDuringOutage.isEmpty && readyDuringOutage.allSatisfy { $0 == 503 }, "/readyz: \(readyDuringOutage)")
        #expect(liveDuringOutage.allSatisfy { $0 == 200 }, "/livez during the outage: \(liveDuringOutage)")

        var readyAgain = false
        var liveAfter: [Int] = []
        let recovered = eventually(timeout: .seconds(60)) {
            liveAfter.append(HTTPStatus.get(port: port, path: "/livez"))
            readyAgain = readyAgain || HTTPStatus.get(port: port, path: "/readyz") == 200
            return readyAgain || worker.isRunning == false
        }
        #expect(recovered && readyAgain, "/readyz is 200 again after the outage: \(worker.log.suffix(2000))")
        #expect(liveAfter.allSatisfy { $0 == 200 || $0 == 0 }, "/livez after the outage: \(liveAfter)")
        #expect(worker.waitForExit(timeout: .seconds(120)) == 0, "\(worker.log.suffix(3000))")
        try scenario.bed.verifyOutputs(inputCount: Self.events, expectedCreated: scenario.valid, allowDuplicates: true)
        try scenario.expectCommittedAtTheEnd(group: "outage")
    }

    @Test func sigtermWithEveryBrokerDownEndsTheProcessWithinTheShutdownBound() throws {
        let scenario = try Scenario()
        let worker = try scenario.worker(group: "stranded", untilCaughtUp: false)
        #expect(try scenario.waitUntilMidStream(), "the worker published before the outage")
        try scenario.broker.setAllBrokersDown()
        Thread.sleep(forTimeInterval: 2)
        let signalled = ContinuousClock.now
        worker.signal(SIGTERM)
        let status = worker.waitForExit(timeout: .seconds(Self.shutdownTimeout + 10))
        let took = signalled.duration(to: .now)
        #expect(status != nil, "the worker exited: \(worker.log.suffix(2000))")
        #expect(took <= .seconds(Self.shutdownTimeout + 2), "exited \(took) after SIGTERM")
        #expect(status != 0, "a drain the brokers could not finish is a failure: \(worker.log.suffix(1000))")
    }
}

/// A request's status code over loopback, through curl (0 when nothing answered).
enum HTTPStatus {
    static func get(port: Int, path: String) -> Int {
        curl(["--max-time", "2", "http://127.0.0.1:\(port)\(path)"])
    }

    /// POSTs a file as JSON.
    static func post(port: Int, path: String, file: URL) -> Int {
        curl([
            "--max-time", "30", "-H", "Content-Type: application/json", "--data-binary", "@\(file.path)",
            "http://127.0.0.1:\(port)\(path)",
        ])
    }

    private static func curl(_ arguments: [String]) -> Int {
        let curl = Process()
        let output = Pipe()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}"] + arguments
        curl.standardOutput = output
        guard (try? curl.run()) != nil else { return 0 }
        curl.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}

extension WorkerProcess {
    /// The port the HTTP listener logged (JSON log lines), once it did.
    func listenerPort(timeout: Duration) -> Int? {
        var port: Int?
        _ = eventually(timeout: timeout) {
            port = log.split(separator: "\n").lazy.compactMap { line in
                try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            }
            .first { $0["message"] as? String == "http listener started" }
            .flatMap { ($0["port"] as? String).flatMap(Int.init) }
            return port != nil
        }
        return port
    }
}
