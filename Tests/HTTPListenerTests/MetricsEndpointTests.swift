import Foundation
import HTTPListener
import Kafka
import KafkaTestSupport
import Logging
import Testing
import Worker

/// `/metrics` scraped over HTTP while the worker runs on the embedded cluster.
@Suite(.serialized) struct MetricsEndpointTests {
    @Test func metricsCountWhatWasProcessedAndLagFallsToZero() async throws {
        let bed = try HTTPListenerTestBed(partitions: 6)
        let count = 6_000
        let valid = try bed.load(count)
        // The first acknowledgements wait for librdkafka's retries, so the
        // lag stays up for a while, and the retries are counted.
        bed.cluster.pushRequestErrors(.produce, Array(repeating: .notEnoughReplicas, count: 10))
        var logger = Logger(label: "metrics-test")
        logger.logLevel = .warning
        // One produce request in flight: with more, the embedded cluster (which checks an
        // idempotent producer's sequence numbers only for transactional ones) can store a
        // later batch while an earlier refused one waits for its retry, and librdkafka
        // then reports the earlier one persisted though it was never stored. A real
        // broker refuses the out-of-sequence batch; the product's default stays 5.
        var configuration = bed.workerConfiguration(group: "metrics")
        configuration.kafka["max.in.flight.requests.per.connection"] = "1"
        let observed = ObservedWorker(configuration: configuration, logger: logger)
        let running = try await bed.start(observed)

        // Scrape until every partition reports lag 0 and every record is counted.
        var highestLag = 0.0
        var last = Scrape("")
        // The in-flight gauge is set once a poll, so it can still read 0 while the
        // last records of a poll are out: wait for every output's acknowledgement too.
        let statistics = running.worker.statistics
        let caughtUp = try await eventually(timeout: .seconds(90)) {
            let acknowledged =
                statistics.created.load(ordering: .relaxed) + statistics.deadLettered.load(ordering: .relaxed)
            last = try await running.client.scrape()
            let lags = last.lags(topic: bed.topics.input)
            highestLag = max(highestLag, lags.values.reduce(0, +))
            return lags.count == Int(bed.partitions) && lags.values.allSatisfy { $0 == 0 }
                && last["usp_records_consumed_total"] == Double(count)
                && last["usp_records_in_flight"] == 0 && acknowledged == count
                && last["usp_entities_created_total"] == Double(valid)
        }
        #expect(caughtUp, "lag fell to zero on every partition: \(last.family("usp_consumer_lag"))")
        #expect(highestLag > 0, "a scrape during the run saw lag")

        // The counts are what was processed: the worker's own, and the topics'.
        #expect(statistics.consumed.load(ordering: .relaxed) == count)
        #expect(last["usp_records_consumed_total"] == Double(count))
        #expect(last["usp_entities_created_total"] == Double(valid))
        #expect(try bed.recordCount(bed.topics.output) == valid)
        let deadLetters = try bed.readAll(bed.topics.deadLetter)
        #expect(deadLetters.count == count - valid)
        var byCode: [String: Int] = [:]
        for record in deadLetters {
            let code = record.headers.first { $0.name == "error-code" }?.value.map {
                String(decoding: $0, as: UTF8.self)
            }
            byCode[code ?? "-", default: 0] += 1
        }
        var scrapedByCode: [String: Double] = [:]
        for (labels, value) in last.family("usp_dead_letters_total") {
            scrapedByCode[String(labels.dropFirst(#"{code=""#.count).dropLast(2))] = value
        }
        #expect(
            scrapedByCode == byCode.mapValues(Double.init),
            "dead letters by code: \(last.family("usp_dead_letters_total"))")
        #expect(last[#"usp_publish_failures_total{output="entity"}"#] == 0)
        #expect(last[#"usp_publish_failures_total{output="dead_letter"}"#] == 0)
        #expect((last["usp_publish_retries_total"] ?? 0) >= 10, "every message sent again is counted")
        #expect((last["usp_commits_total"] ?? 0) >= 1)
        #expect((last[#"usp_rebalances_total{event="assigned"}"#] ?? 0) >= 1)
        #expect(last["usp_assigned_partitions"] == Double(bed.partitions))
        #expect(last["usp_stuck_partitions"] == 0)
        // One observation per record processed, and per output acknowledged.
        #expect(last["usp_processing_duration_seconds_count"] == Double(count))
        #expect(last["usp_publish_duration_seconds_count"] == Double(count))
        #expect(last.text.contains("# TYPE usp_processing_duration_seconds histogram"))

        let reply = try await running.client.get("/metrics")
        #expect(reply.contentType == PrometheusMetrics.contentType)
        try await running.stop()
    }
}
