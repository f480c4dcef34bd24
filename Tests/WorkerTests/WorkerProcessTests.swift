import Foundation
import Kafka
import Testing

@testable import Worker

/// `usp-worker` as a real process against the embedded cluster of the test.
@Suite(.serialized) struct WorkerProcessTests {
    func runArguments(_ bed: WorkerTestBed, group: String, untilCaughtUp: Bool) -> [String] {
        [
            "run", "--brokers", bed.bootstrapServers, "--group", group,
            "--input-topic", bed.topics.input, "--output-topic", bed.topics.output,
            "--dead-letter-topic", bed.topics.deadLetter,
            "--kafka-property", "session.timeout.ms=6000", "--commit-interval-ms", "200",
            "--log-format", "text", "--http-host", "127.0.0.1", "--http-port", "0", "--auth", "none",
            "--no-http-create",
        ] + (untilCaughtUp ? ["--until-caught-up"] : [])
    }

    @Test func aWorkerKilledMidStreamAndRestartedLosesNothingAndDuplicatesAreIdentical() async throws {
        // 30,000 events of ~1.1 KB: 16 partitions keep each under the mock's 5 MiB.
        let bed = try WorkerTestBed(partitions: 16, outputPartitions: 16)
        let count = 30_000
        let valid = try bed.load(count)
        let victim = try WorkerProcess(runArguments(bed, group: "crash", untilCaughtUp: false))
        let midStream = try eventually(timeout: .seconds(60)) {
            try bed.recordCount(bed.topics.output) >= 2_000
        }
        victim.signal(SIGKILL)
        #expect(midStream, "the worker published before it was killed")
        #expect(victim.waitForExit(timeout: .seconds(10)) != nil)
        let published = try bed.recordCount(bed.topics.output)
            + bed.recordCount(bed.topics.deadLetter)
        #expect(published < count, "the kill landed mid-stream (\(published) of \(count) published)")

        let successor = try WorkerProcess(runArguments(bed, group: "crash", untilCaughtUp: true))
        let status = successor.waitForExit(timeout: .seconds(120))
        #expect(status == 0, "the restarted worker caught up: \(successor.log.suffix(2000))")
        try bed.verifyOutputs(inputCount: count, expectedCreated: valid, allowDuplicates: true)
    }

    @Test func sigtermMidStreamExitsZeroWithCommitsEqualToWhatWasPublished() async throws {
        // 30,000 events of ~1.1 KB: 16 partitions keep each under the mock's 5 MiB.
        let bed = try WorkerTestBed(partitions: 16, outputPartitions: 16)
        let count = 30_000
        try bed.load(count)
        let worker = try WorkerProcess(runArguments(bed, group: "term", untilCaughtUp: false))
        let midStream = try eventually(timeout: .seconds(60)) {
            try bed.recordCount(bed.topics.output) >= 2_000
        }
        #expect(midStream)
        let signalled = ContinuousClock.now
        worker.signal(SIGTERM)
        let status = worker.waitForExit(timeout: .seconds(40))
        #expect(status == 0, "exit status after SIGTERM: \(worker.log.suffix(2000))")
        #expect(signalled.duration(to: .now) < .seconds(30), "within the shutdown bound")

        // What was published, per input partition, is exactly the committed prefix.
        let committed = try bed.committedOffsets(group: "term")
        let entityCount = try bed.recordCount(bed.topics.output)
        let deadLetterCount = try bed.recordCount(bed.topics.deadLetter)
        #expect(entityCount + deadLetterCount < count, "SIGTERM landed mid-stream")
        let expected = try bed.expectedOutputs(inputCount: count)
        var inputOfID: [[UInt8]: InputCoordinate] = [:]
        for (coordinate, output) in expected where output.kind == .entity { inputOfID[output.key!] = coordinate }
        var publishedOffsets: [Int32: Set<Int64>] = [:]
        for message in try bed.read(bed.topics.output, count: entityCount) {
            if let coordinate = message.key.flatMap({ inputOfID[$0] }) {
                publishedOffsets[coordinate.partition, default: []].insert(coordinate.offset)
            }
        }
        for message in try bed.read(bed.topics.deadLetter, count: deadLetterCount) {
            if let coordinate = WorkerTestBed.sourceCoordinate(of: message) {
                publishedOffsets[coordinate.partition, default: []].insert(coordinate.offset)
            }
        }
        #expect(publishedOffsets.values.reduce(0) { $0 + $1.count } == entityCount + deadLetterCount, "no duplicates")
        for partition in 0..<bed.partitions {
            let next = max(committed[partition] ?? 0, 0)
            let published = publishedOffsets[partition, default: []]
            let isThePrefix = published.count == next && published.allSatisfy { $0 < next }
            #expect(isThePrefix, "partition \(partition): \(published.count) offsets published, committed prefix 0..<\(next)")
        }
    }

    @Test(arguments: [
        (["--auth", "none", "--no-http-create", "--kafka-property", "no.such.property=1"], "no.such.property"),
        (["--auth", "none", "--no-http-create", "--kafka-property", "acks=sometimes"], "acks"),
        (["--auth", "none", "--no-http-create", "--max-in-flight", "0"], "--max-in-flight"),
        (["--auth", "none", "--no-http-create", "--log-level", "loud"], "--log-level"),
        // --auth none with the HTTP create endpoint on (the default) needs the allow flag.
        (["--auth", "none"], "--allow-unauthenticated-http-create"),
        (["--auth", "none", "--http-port", "0"], "--no-http-create"),
        // Token authentication is the default, and needs a key source, an issuer and an audience.
        ([], "--jwks-url, --jwks-file or --hs256-secret-file"),
        (["--jwks-file", "/etc/usp/jwks.json"], "--issuer"),
        (["--jwks-file", "/etc/usp/jwks.json", "--issuer", "https://issuer.test"], "--audience"),
        (["--jwks-file", "/nonexistent/jwks.json", "--issuer", "https://issuer.test", "--audience", "api://usp"], "/nonexistent/jwks.json"),
        (["--jwks-url", "http://idp.example.test/keys", "--issuer", "https://issuer.test", "--audience", "api://usp"], "must be https"),
        (["--auth", "none", "--jwks-file", "/etc/usp/jwks.json"], "--auth none checks no token"),
    ])
    func aBadFlagOrPropertyIsRefusedAtStartByName(arguments: [String], named: String) {
        do {
            let worker = try WorkerProcess(["run", "--brokers", "127.0.0.1:1"] + arguments)
            #expect(worker.waitForExit(timeout: .seconds(20)).map { $0 != 0 } == true, "exits non-zero")
            #expect(worker.log.contains(named), "the message names \(named): \(worker.log.suffix(500))")
        } catch {
            Issue.record("could not start usp-worker: \(error)")
        }
    }

    @Test func authNoneWithTheEndpointStartsOnlyWhenAllowedAndWarnsExactlyWhatIsOpen() throws {
        let arguments = [
            "run", "--brokers", "127.0.0.1:1", "--auth", "none", "--input-topic", "events.in",
            "--http-host", "127.0.0.1", "--http-port", "0", "--log-format", "text", "--shutdown-timeout", "2",
        ]
        let refused = try WorkerProcess(arguments)
        #expect(refused.waitForExit(timeout: .seconds(20)).map { $0 != 0 } == true, "exits non-zero")
        #expect(refused.log.contains("--allow-unauthenticated-http-create"), "names the flag: \(refused.log)")
        #expect(!refused.log.contains("http listener started"))

        // The environment variable allows it; the warnings name the topic and the listener.
        let allowed = try WorkerProcess(arguments, environment: ["USP_ALLOW_UNAUTHENTICATED_HTTP_CREATE": "true"])
        defer { allowed.signal(SIGKILL) }
        let listening = try eventually(timeout: .seconds(20)) { allowed.log.contains("http listener started") }
        #expect(listening, "the worker started: \(allowed.log.suffix(2000))")
        let log = allowed.log
        #expect(log.contains(
            "events on events.in are not checked for a bearer token; whoever may write to that topic may create "
                + "profiles in any tenant, and only the broker's ACLs protect it"))
        #expect(log.contains(
            "POST /security/userSecurityProfiles on 127.0.0.1:0 checks no bearer token; anyone who can reach that "
                + "port may create profiles in any tenant, and no broker ACL applies to it"))

        // Event-only (--no-http-create) needs no allowance, and warns about the events only.
        let eventsOnly = try WorkerProcess(arguments + ["--no-http-create"])
        defer { eventsOnly.signal(SIGKILL) }
        #expect(try eventually(timeout: .seconds(20)) { eventsOnly.log.contains("http listener started") })
        #expect(eventsOnly.log.contains("only the broker's ACLs protect it"))
        #expect(!eventsOnly.log.contains("POST /security/userSecurityProfiles on"))
    }

    @Test func demoRunsToCompletionAndPrintsEntitiesDeadLettersAndSummary() throws {
        let demo = try WorkerProcess(["demo"])
        let status = demo.waitForExit(timeout: .seconds(90))
        let log = demo.log
        #expect(status == 0, "demo output: \(log.suffix(3000))")
        #expect(log.contains("== 12 entities on userSecurityProfiles.created"))
        #expect(log.contains("== 3 dead letters on userSecurityProfiles.create.dlq"))
        #expect(log.contains(##"{"@odata.type":"#microsoft.graph.userSecurityProfile","id":""##))
        #expect(log.contains("summary: consumed=15 created=12 dead-lettered=3"))
    }
}
