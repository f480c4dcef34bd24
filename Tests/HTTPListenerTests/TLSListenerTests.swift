import Foundation
import KafkaTestSupport
import SampleEvents
import Testing

/// `usp-worker run --http-tls-certificate --http-tls-key`: the listener speaks HTTPS only,
/// with a certificate the test makes, and serves a renewed certificate without a restart.
@Suite(.serialized) struct TLSListenerTests {
    /// curl with the given arguments: the exit status, and the body followed by the status code.
    private static func curl(_ arguments: [String]) throws -> CommandLineTool.Result {
        try CommandLineTool.run(["curl", "-sS", "--max-time", "10", "-w", "\n%{http_code}"] + arguments)
    }

    @Test func anHTTPSCreateSucceedsPlainHTTPToTheTLSPortFailsAndARenewedCertificateIsServed() async throws {
        let bed = try HTTPListenerTestBed(partitions: 1)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("usp-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try TestCertificate.make(in: folder, name: "first")
        let served = (
            certificate: folder.appendingPathComponent("tls.crt").path,
            key: folder.appendingPathComponent("tls.key").path
        )
        try FileManager.default.copyItem(atPath: first.certificate, toPath: served.certificate)
        try FileManager.default.copyItem(atPath: first.key, toPath: served.key)
        let body = folder.appendingPathComponent("create.json")
        try Data(SampleEvents.valid(0)).write(to: body)

        let worker = try WorkerProcess([
            "run", "--brokers", bed.cluster.bootstrapServers, "--group", "tls",
            "--input-topic", bed.topics.input, "--output-topic", bed.topics.output,
            "--dead-letter-topic", bed.topics.deadLetter, "--kafka-property", "session.timeout.ms=6000",
            "--auth", "none", "--allow-unauthenticated-http-create",
            "--http-host", "127.0.0.1", "--http-port", "0",
            "--http-tls-certificate", served.certificate, "--http-tls-key", served.key,
        ])
        var started: [String: Any]?
        _ = await eventually(timeout: .seconds(30)) {
            started = worker.logLines.lazy.compactMap { $0.object }
                .first { $0["message"] as? String == "http listener started" }
            return started != nil
        }
        let listening = (started?["port"] as? String).flatMap { Int($0) }
        let port = try #require(listening, "listening: \(worker.log.suffix(2000))")
        #expect(started?["scheme"] as? String == "https")
        let https = "https://127.0.0.1:\(port)"

        // An HTTPS create, the certificate checked against the one the test made.
        let created = try Self.curl([
            "--cacert", first.certificate, "-H", "Content-Type: application/json",
            "--data-binary", "@\(body.path)", "\(https)/security/userSecurityProfiles",
        ])
        #expect(created.status == 0 && created.output.hasSuffix("\n201"), "HTTPS create: \(created.output)")
        #expect(created.output.contains(##""@odata.type":"#microsoft.graph.userSecurityProfile""##))
        let published = try await eventually(timeout: .seconds(20)) { try bed.recordCount(bed.topics.output) == 1 }
        #expect(published, "the entity is on the output topic")

        // Plain HTTP to the TLS port gets no HTTP answer.
        let plain = try Self.curl(["http://127.0.0.1:\(port)/livez"])
        #expect(plain.status != 0, "plain HTTP fails: \(plain.output)")
        #expect(!plain.output.contains("live"))
        // Nor does a client that trusts another certificate.
        let stranger = try TestCertificate.make(in: folder, name: "stranger")
        let untrusted = try Self.curl(["--cacert", stranger.certificate, "\(https)/livez"])
        #expect(untrusted.status == 60, "certificate not trusted: \(untrusted.output)")

        // A renewed certificate: the files are replaced (each by a rename, the key last);
        // new connections get it within a few seconds, without a restart.
        let renewed = try TestCertificate.make(in: folder, name: "renewed")
        #expect(rename(renewed.certificate, served.certificate) == 0 && rename(renewed.key, served.key) == 0)
        let switched = try await eventually(timeout: .seconds(10)) {
            try Self.curl(["--cacert", served.certificate, "\(https)/livez"]).output.hasSuffix("\n200")
        }
        #expect(switched, "the renewed certificate is served: \(worker.log.suffix(2000))")
        let old = try Self.curl(["--cacert", first.certificate, "\(https)/livez"])
        #expect(old.status == 60, "the first certificate is no longer served: \(old.output)")

        worker.terminate()
        #expect(worker.waitForExit(timeout: .seconds(40)) == 0, "SIGTERM exits 0: \(worker.log.suffix(2000))")
    }

    @Test func aKeyThatIsNotTheCertificatesOrOnlyOneOfTheTwoFilesIsRefusedAtStart() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("usp-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let one = try TestCertificate.make(in: folder, name: "one")
        let other = try TestCertificate.make(in: folder, name: "other")
        let cases: [([String], String)] = [
            (["--http-tls-certificate", one.certificate, "--http-tls-key", other.key], "is not the private key of"),
            (["--http-tls-certificate", one.certificate], "--http-tls-certificate and --http-tls-key go together"),
            (["--http-tls-certificate", one.key, "--http-tls-key", one.key], "not a readable PEM certificate"),
        ]
        for (arguments, message) in cases {
            let worker = try WorkerProcess(
                ["run", "--brokers", "127.0.0.1:1", "--auth", "none", "--no-http-create", "--http-port", "0"]
                    + arguments)
            #expect(worker.waitForExit(timeout: .seconds(20)).map { $0 != 0 } == true, "refused: \(arguments)")
            #expect(worker.log.contains(message), "names the problem (\(message)): \(worker.log.suffix(800))")
        }
    }
}
