import Foundation
import Kafka
import KafkaTestSupport
import SampleEvents
import Synchronization
import Testing

@testable import Worker

/// `usp-worker` as a real process against the embedded cluster of the test.
@Suite(.serialized) struct WorkerProcessTests {
    func runArguments(_ bed: KafkaTestBed, group: String, untilCaughtUp: Bool) -> [String] {
        [
            "run", "--brokers", bed.bootstrapServers, "--group", group,
            "--input-topic", bed.topics.input, "--output-topic", bed.topics.output,
            "--dead-letter-topic", bed.topics.deadLetter,
            "--kafka-property", "session.timeout.ms=6000", "--commit-interval-ms", "200",
            "--log-format", "text", "--http-host", "127.0.0.1", "--http-port", "0", "--auth", "none",
            "--no-http-create",
        ] + (untilCaughtUp ? ["--until-caught-up"] : [])
    }

    /// A few hundred records in flight at a time, against a cluster 20 ms away (`slowDown`):
    /// slow enough that a signal sent once 2,000 outputs are seen lands mid-stream, with
    /// records still in flight, however fast the worker is otherwise.
    static let slowly = ["--max-in-flight", "300"]

    @Test func aWorkerKilledMidStreamAndRestartedLosesNothingAndDuplicatesAreIdentical() async throws {
        // 30,000 events of ~1.1 KB: 16 partitions keep each under the mock's 5 MiB.
        let bed = try KafkaTestBed(partitions: 16, outputPartitions: 16)
        let count = 30_000
        let valid = try bed.load(count)
        bed.slowDown()
        let victim = try WorkerProcess(runArguments(bed, group: "crash", untilCaughtUp: false) + Self.slowly)
        let midStream = try await eventually(timeout: .seconds(60)) {
            try bed.recordCount(bed.topics.output) >= 2_000
        }
        victim.signal(SIGKILL)
        #expect(midStream, "the worker published before it was killed")
        #expect(victim.waitForExit(timeout: .seconds(10)) != nil)
        let published =
            try bed.recordCount(bed.topics.output)
            + bed.recordCount(bed.topics.deadLetter)
        #expect(published < count, "the kill landed mid-stream (\(published) of \(count) published)")

        let successor = try WorkerProcess(runArguments(bed, group: "crash", untilCaughtUp: true))
        let status = successor.waitForExit(timeout: .seconds(120))
        #expect(status == 0, "the restarted worker caught up: \(successor.log.suffix(2000))")
        try bed.verifyOutputs(inputCount: count, expectedCreated: valid, allowDuplicates: true)
    }

    @Test func sigtermMidStreamExitsZeroWithCommitsEqualToWhatWasPublished() async throws {
        // 30,000 events of ~1.1 KB: 16 partitions keep each under the mock's 5 MiB.
        let bed = try KafkaTestBed(partitions: 16, outputPartitions: 16)
        let count = 30_000
        try bed.load(count)
        bed.slowDown()
        let worker = try WorkerProcess(runArguments(bed, group: "term", untilCaughtUp: false) + Self.slowly)
        let midStream = try await eventually(timeout: .seconds(60)) {
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
            if let coordinate = KafkaTestBed.sourceCoordinate(of: message) {
                publishedOffsets[coordinate.partition, default: []].insert(coordinate.offset)
            }
        }
        #expect(publishedOffsets.values.reduce(0) { $0 + $1.count } == entityCount + deadLetterCount, "no duplicates")
        for partition in 0..<bed.partitions {
            let next = max(committed[partition] ?? 0, 0)
            let published = publishedOffsets[partition, default: []]
            let isThePrefix = published.count == next && published.allSatisfy { $0 < next }
            #expect(
                isThePrefix,
                "partition \(partition): \(published.count) offsets published, committed prefix 0..<\(next)")
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
        (
            ["--jwks-file", "/nonexistent/jwks.json", "--issuer", "https://issuer.test", "--audience", "api://usp"],
            "/nonexistent/jwks.json"
        ),
        (
            [
                "--jwks-url", "http://idp.example.test/keys", "--issuer", "https://issuer.test", "--audience",
                "api://usp",
            ], "must be https"
        ),
        (["--auth", "none", "--jwks-file", "/etc/usp/jwks.json"], "--auth none checks no token"),
        // Properties that would weaken the delivery promises.
        (["--auth", "none", "--kafka-property", "acks=1"], "acks=1 is refused"),
        (["--auth", "none", "--kafka-property", "request.required.acks=0"], "request.required.acks=0 is refused"),
        (["--auth", "none", "--kafka-property", "enable.idempotence=false"], "enable.idempotence=false is refused"),
        (
            ["--auth", "none", "--kafka-property", "enable.auto.offset.store=true"],
            "enable.auto.offset.store=true is refused"
        ),
        (
            ["--auth", "none", "--kafka-property", "max.in.flight.requests.per.connection=6"],
            "max.in.flight.requests.per.connection=6 is refused"
        ),
        (["--auth", "none", "--max-in-flight-bytes", "0"], "--max-in-flight-bytes"),
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

    @Test func aValidBodyOfExactlyTheLimitIsCreatedOverHTTPToo() throws {
        let bed = try KafkaTestBed(partitions: 1, outputPartitions: 1)
        let worker = try WorkerProcess([
            "run", "--brokers", bed.bootstrapServers, "--group", "http-size",
            "--input-topic", bed.topics.input, "--output-topic", bed.topics.output,
            "--dead-letter-topic", bed.topics.deadLetter, "--http-host", "127.0.0.1", "--http-port", "0",
            "--auth", "none", "--allow-unauthenticated-http-create",
        ])
        defer { worker.signal(SIGKILL) }
        let port = try #require(worker.listenerPort(timeout: .seconds(30)), "\(worker.log.suffix(2000))")
        let body = FileManager.default.temporaryDirectory.appendingPathComponent("usp-body-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: body) }
        try Data(SampleEvents.valid(7, size: 1_048_576)).write(to: body)
        let status = HTTPStatus.post(port: port, path: "/security/userSecurityProfiles", file: body)
        #expect(status == 201, "a 1 MiB body's entity is publishable over HTTP: \(worker.log.suffix(2000))")
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
        #expect(
            log.contains(
                "events on events.in are not checked for a bearer token; whoever may write to that topic may create "
                    + "profiles in any tenant, and only the broker's ACLs protect it"))
        #expect(
            log.contains(
                "POST /security/userSecurityProfiles on 127.0.0.1:0 checks no bearer token; anyone who can reach that "
                    + "port may create profiles in any tenant, and no broker ACL applies to it"))

        // Event-only (--no-http-create) needs no allowance, and warns about the events only.
        let eventsOnly = try WorkerProcess(arguments + ["--no-http-create"])
        defer { eventsOnly.signal(SIGKILL) }
        #expect(try eventually(timeout: .seconds(20)) { eventsOnly.log.contains("http listener started") })
        #expect(eventsOnly.log.contains("only the broker's ACLs protect it"))
        #expect(!eventsOnly.log.contains("POST /security/userSecurityProfiles on"))
    }

    /// The issue's six records, each early in its own partition with ordinary records
    /// after it, through `usp-worker run --until-caught-up` with its defaults: no record
    /// stalls its partition, every input gets exactly one output.
    @Test func bigAndOddRecordsEachGetTheirOutputAndStallNoPartition() throws {
        // Each input partition holds about 0.6 MB of ordinary events and one record of at
        // most 1.5 MiB; each output partition at most two 1 MiB entities: all under the
        // mock's 5 MiB a partition, so it drops nothing.
        let bed = try KafkaTestBed(partitions: 6, outputPartitions: 6)
        let specials = Self.specialRecords()
        var ordinary = 0
        var valid = 2  // the two big valid bodies
        try Self.withLargeMessageProducer(bed) { produce in
            func produceOrdinary(_ index: Int) throws {
                let event = SampleEvents.mixed(index)
                if event.isValid { valid += 1 }
                ordinary += 1
                try produce(
                    Int32(index % 6), Array("event-\(index)".utf8), event.body,
                    [KafkaHeader(name: "client-request-id", value: Array("c-\(index)".utf8))])
            }
            for index in 0..<6 { try produceOrdinary(index) }
            for (partition, special) in specials.enumerated() {
                try produce(Int32(partition), special.key, special.value, special.headers)
            }
            for index in 6..<3_000 { try produceOrdinary(index) }
        }
        let inputCount = ordinary + specials.count
        #expect(try bed.recordCount(bed.topics.input) == inputCount)

        let worker = try WorkerProcess(runArguments(bed, group: "poison", untilCaughtUp: true))
        let status = worker.waitForExit(timeout: .seconds(240))
        #expect(status == 0, "the worker caught up: \(worker.log.suffix(3000))")
        let (entities, deadLetters) = try bed.verifyOutputs(
            inputCount: inputCount, expectedCreated: valid, allowDuplicates: false)

        // The two valid big bodies: entities of the page's shape, ids of their coordinates.
        let prefix = Array(##"{"@odata.type":"#microsoft.graph.userSecurityProfile","id":""##.utf8)
        let bigEntities = entities.filter { ($0.value?.count ?? 0) > 1_000_000 }
        #expect(bigEntities.count == 2)
        for entity in bigEntities {
            let value = entity.value ?? []
            #expect(Array(value.prefix(prefix.count)) == prefix)
            let object = try JSONSerialization.jsonObject(with: Data(value)) as? [String: Any]
            #expect(
                Set(object?.keys.map { $0 } ?? []) == [
                    "@odata.type", "id", "accounts", "azureSubscriptionId", "azureTenantId", "createdDateTime",
                    "displayName", "lastModifiedDateTime", "riskScore", "tags", "userPrincipalName",
                    "vendorInformation",
                ])
        }

        // Dead letters of the other four, found by their source coordinates (offset 1).
        func letter(_ partition: Int32) -> KafkaMessage? {
            let coordinate = InputCoordinate(partition: partition, offset: 1)
            return deadLetters.first { KafkaTestBed.sourceCoordinate(of: $0) == coordinate }
        }
        func header(_ message: KafkaMessage?, _ name: String) -> String? {
            message?.headers.first { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
        }
        let justOver = letter(2)
        #expect(header(justOver, "error-status") == "413")
        // Compared as booleans: a failure must not print a megabyte.
        let keepsItsValue = justOver?.value == specials[2].value
        #expect(keepsItsValue, "1 MiB + 1 fits as a dead letter with its value")
        #expect(header(justOver, "error-value-omitted") == nil)
        let tooLarge = letter(3)
        #expect(header(tooLarge, "error-status") == "413")
        #expect(tooLarge?.value == nil)
        #expect(header(tooLarge, "error-value-omitted") == "1572864")
        let keepsItsKey = tooLarge?.key == specials[3].key
        #expect(keepsItsKey, "only the value was left out")
        let bigKey = letter(4)
        #expect(header(bigKey, "error-status") == "400")
        let keepsKeyAndValue = bigKey?.key == specials[4].key && bigKey?.value == specials[4].value
        #expect(keepsKeyAndValue, "the 200 kB key stays (key length \(bigKey?.key?.count ?? -1))")
        let manyHeaders = letter(5)
        #expect(header(manyHeaders, "error-status") == "400")
        let keepsHeaders = manyHeaders.map { Array($0.headers.prefix(1_000)) == specials[5].headers } ?? false
        #expect(keepsHeaders, "the 1,000 headers stay (\(manyHeaders?.headers.count ?? -1) headers)")
        #expect(manyHeaders?.value == specials[5].value)

        // Every partition was committed to its end.
        let committed = try bed.committedOffsets(group: "poison")
        #expect(committed.values.reduce(0, +) == Int64(inputCount), "committed: \(committed)")
    }

    /// The issue's six records: two valid bodies at and under the limit, two over it, a
    /// 200 kB key and 1,000 headers of 100 B (each on an invalid body).
    private static func specialRecords() -> [(key: [UInt8], value: [UInt8], headers: [KafkaHeader])] {
        let invalid = SampleEvents.invalid(3)  // carries an `id`: 400
        let headers = (0..<1_000).map { index in
            KafkaHeader(name: String(format: "x-h%04d", index), value: [UInt8](repeating: 0x61, count: 100))
        }
        return [
            (Array("special-0".utf8), SampleEvents.valid(900_000, size: 1_040_000), []),
            (Array("special-1".utf8), SampleEvents.valid(900_001, size: 1_048_576), []),
            (Array("special-2".utf8), SampleEvents.valid(900_002, size: 1_048_577), []),
            (Array("special-3".utf8), SampleEvents.valid(900_003, size: 1_572_864), []),
            ([UInt8](repeating: 0x6B, count: 200_000), invalid, []),
            (Array("special-5".utf8), invalid, headers),
        ]
    }

    /// A producer that takes records up to 4 MB, for `body`; waits for every delivery.
    private static func withLargeMessageProducer(
        _ bed: KafkaTestBed,
        _ body: ((Int32, [UInt8], [UInt8], [KafkaHeader]) throws -> Void) throws -> Void
    ) throws {
        var configuration = KafkaConfiguration()
        configuration.bootstrapServers = bed.bootstrapServers
        configuration["message.max.bytes"] = "4000000"
        let failures = Atomic<Int>(0)
        let producer = try KafkaProducer(configuration: configuration) { report in
            if report.error != nil { failures.add(1, ordering: .relaxed) }
        }
        defer { producer.close(timeout: .seconds(10)) }
        var opaque: UInt64 = 0
        try body { partition, key, value, headers in
            opaque += 1
            try producer.produce(
                topic: bed.topics.input, partition: partition, key: key, value: value, headers: headers, opaque: opaque,
                waitingForRoomUpTo: .seconds(60))
        }
        try producer.flush(timeout: .seconds(60))
        #expect(failures.load(ordering: .relaxed) == 0, "every record was loaded")
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
