import Foundation
import Kafka
import KafkaTestSupport
import Testing

/// A worker process given a SASL password, a TLS key password and events
/// carrying bearer tokens: none of them appears in any line it writes, nor in
/// `/metrics`, and every line it writes is a JSON object.
@Suite(.serialized) struct SecretRedactionTests {
    @Test func noSecretAppearsInAnyLogLineOrInTheMetrics() async throws {
        let bed = try HTTPListenerTestBed(partitions: 2)
        let token = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu.signature-\(UUID().uuidString)"
        let count = 200
        try bed.load(count) { index in
            [
                KafkaHeader(
                    name: index % 2 == 0 ? "authorization" : "Authorization",
                    value: Array("Bearer \(token)-\(index)".utf8))
            ]
        }
        let password = "sasl-pw-\(UUID().uuidString)"
        let keyPassword = "tls-key-pw-\(UUID().uuidString)"
        let properties = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ops-\(UUID().uuidString).properties")
        try "sasl.mechanisms=PLAIN\nsasl.username=usp\nsasl.password=\(password)\nssl.key.password=\(keyPassword)\n"
            .write(to: properties, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: properties) }

        // Debug logging everywhere, librdkafka's configuration dump included.
        let worker = try WorkerProcess([
            "run", "--brokers", bed.cluster.bootstrapServers, "--group", "secrets",
            "--input-topic", bed.topics.input, "--output-topic", bed.topics.output,
            "--dead-letter-topic", bed.topics.deadLetter, "--kafka-properties-file", properties.path,
            "--kafka-property", "session.timeout.ms=6000", "--kafka-property", "debug=conf,security,broker,cgrp",
            "--http-host", "127.0.0.1", "--http-port", "0", "--log-level", "trace", "--auth", "none",
            "--no-http-create",
        ])
        var port: Int?
        _ = await eventually(timeout: .seconds(30)) {
            port = worker.logLines.lazy.compactMap { $0.object }
                .first { $0["message"] as? String == "http listener started" }
                .flatMap { ($0["port"] as? String).flatMap(Int.init) }
            return port != nil
        }
        let listening = try #require(port, "the listener logged its port: \(worker.log.suffix(2000))")
        let client = HTTPProbe(port: listening)
        var scrape = Scrape("")
        let processed = try await eventually(timeout: .seconds(60)) {
            scrape = try await client.scrape()
            return scrape["usp_records_consumed_total"] == Double(count)
        }
        #expect(processed, "the worker processed every event: \(worker.log.suffix(2000))")
        let health = try await client.get("/livez").body + (try await client.get("/readyz").body)
        worker.terminate()
        #expect(worker.waitForExit(timeout: .seconds(40)) == 0, "SIGTERM exits 0: \(worker.log.suffix(2000))")

        let lines = worker.logLines
        #expect(lines.count > 50, "debug logging wrote lines to check (\(lines.count))")
        #expect(lines.contains { $0.text.contains("sasl.password") }, "librdkafka's configuration dump was logged")
        for secret in [password, keyPassword, token] {
            let leaks = lines.filter { $0.text.contains(secret) }.map(\.text)
            #expect(leaks.isEmpty, "a secret was logged: \(leaks.prefix(3))")
            #expect(!scrape.text.contains(secret) && !health.contains(secret), "a secret reached /metrics or a check")
        }
        let notJSON = lines.filter { $0.object == nil }.map(\.text)
        #expect(notJSON.isEmpty, "every line is one JSON object: \(notJSON.prefix(3))")
        let librdkafka = lines.compactMap(\.object).filter { $0["label"] as? String == "librdkafka" }
        #expect(!librdkafka.isEmpty, "librdkafka's lines go through the JSON log")
    }
}
