import Foundation
import KafkaTestSupport
import SampleEvents
import Testing

/// `usp-worker backfill` and `replay` as commands: flags and environment,
/// what they print where, and their exit status.
@Suite(.serialized) struct ToolCommandTests {
    /// The built `usp-worker`, beside the test bundle in the build folder.
    private static var executable: URL {
        var folder = Bundle.main.bundleURL
        for _ in 0..<4 where !FileManager.default.fileExists(atPath: folder.appendingPathComponent("usp-worker").path) {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent("usp-worker")
    }

    /// Runs the command to its end (at most 60 s); standard error is a pipe,
    /// not a terminal, so progress comes as plain lines.
    private func run(_ arguments: [String], brokers: String) throws -> (status: Int32?, output: String, errors: String)
    {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["USP_BROKERS": brokers]) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Both pipes hold far less than their buffers here; read them once it ends.
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { process.terminate() }
        let text = { (pipe: Pipe) in String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self) }
        return (process.isRunning ? nil : process.terminationStatus, text(output), text(errors))
    }

    @Test func backfillPrintsItsSummaryListsTooLargeLinesAndNeverTheToken() throws {
        let bed = try ToolTestBed()
        let large = SampleEvents.valid(3) + Array(repeating: 0x20, count: 3_000)
        let path = try bed.files.write(
            "events.jsonl", lines: [SampleEvents.valid(1), large, [], SampleEvents.valid(2)])
        let tokenFile = try bed.files.write("token", Array("tok-5ecret-value\n".utf8))
        let result = try run(
            [
                "backfill", "--input", path, "--input-topic", bed.topics.input, "--max-body-size", "2000",
                "--bearer-token-file", tokenFile, "--progress-interval", "1",
            ],
            brokers: bed.cluster.bootstrapServers)
        #expect(result.status == 1, "lines were too large: \(result.errors)")
        #expect(result.output.hasPrefix("summary: lines=4 produced=2 skipped-blank=1 oversized=1 bytes="))
        #expect(result.errors.contains("backfill: 100% lines=4 acknowledged=2/2 records/s="), "a plain progress line")
        #expect(result.errors.contains("1 lines above --max-body-size 2000 or message.max.bytes were not produced: 2"))
        #expect(!(result.output + result.errors).contains("5ecret"))
        let records = try bed.readAll(bed.topics.input)
        #expect(records.count == 2)
        #expect(records.allSatisfy { $0.header("authorization") == "Bearer tok-5ecret-value" })
    }

    @Test func failuresExitWithStatusTwoAndSayWhat() throws {
        let bed = try ToolTestBed()
        let missing = try run(
            ["backfill", "--input", "/nonexistent/events.jsonl"], brokers: bed.cluster.bootstrapServers)
        #expect(missing.status == 2)
        #expect(missing.errors.contains("usp-worker backfill: UNREADABLE_INPUT: cannot read /nonexistent/events.jsonl"))
        let path = try bed.files.write("one.jsonl", lines: [SampleEvents.valid(1)])
        let noTopic = try run(
            ["backfill", "--input", path, "--input-topic", "absent"], brokers: bed.cluster.bootstrapServers)
        #expect(noTopic.status == 2)
        #expect(noTopic.errors.contains("MISSING_TOPIC: topic absent"))
    }

    @Test func replayWithABearerTokenFileRefusesA401LetterNamedByCodeAndSaysHowMany() throws {
        let bed = try ToolTestBed()
        try bed.writeDeadLetters(codes: ["InvalidAuthenticationToken", "BadRequest", "InvalidAuthenticationToken"])
        let tokenFile = try bed.files.write("token", Array("operator-5ecret-token\n".utf8))
        let result = try run(
            [
                "replay", "--input-topic", bed.topics.input, "--dead-letter-topic", bed.topics.deadLetter,
                "--error-code", "InvalidAuthenticationToken", "--bearer-token-file", tokenFile,
            ],
            brokers: bed.cluster.bootstrapServers)
        #expect(result.status == 2, "refused: \(result.errors)")
        #expect(
            result.errors.contains(
                "usp-worker replay: OPERATOR_TOKEN_ON_REFUSED_CALLERS: refused to replay 2 dead letter(s) of callers "
                    + "refused for their token (InvalidAuthenticationToken: 2) with --bearer-token-file"))
        #expect(!result.output.contains("summary:"))
        #expect(!(result.output + result.errors).contains("5ecret"))
        #expect(try bed.recordCount(bed.topics.input) == 0, "nothing was sent")
    }

    @Test func replayDryRunCountsAndSaysWhichGroup() throws {
        let bed = try ToolTestBed()
        let result = try run(
            [
                "replay", "--dry-run", "--input-topic", bed.topics.input, "--dead-letter-topic", bed.topics.deadLetter,
                "--error-code", "BadRequest", "--source-partition", "2",
            ],
            brokers: bed.cluster.bootstrapServers)
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.hasPrefix("summary: dry-run read=0 replayed=0 skipped=0 seconds="))
        #expect(
            result.output.hasSuffix(" group=usp-worker-replay.error-code=BadRequest.source-partition=2 by-code=-\n"))
    }
}
