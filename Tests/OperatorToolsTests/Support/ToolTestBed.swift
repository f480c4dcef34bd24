import CreatePipeline
import Foundation
import Kafka
import KafkaTestSupport
import SampleEvents
import Testing
import Worker

/// The kit's test bed (three partitions a topic, names starting `tools-`), a scratch folder
/// for input files, and dead letters written as the worker writes them.
@dynamicMemberLookup
final class ToolTestBed: Sendable {
    let core: KafkaTestBed
    /// Where the test's input files go.
    let files: ScratchFolder
    static let partitions: Int32 = 3

    init() throws {
        core = try KafkaTestBed(
            prefix: "tools-", partitions: Self.partitions, outputPartitions: Self.partitions,
            deadLetterPartitions: Self.partitions)
        files = try ScratchFolder()
    }

    subscript<Value>(dynamicMember property: KeyPath<KafkaTestBed, Value>) -> Value { core[keyPath: property] }

    @discardableResult
    func runWorker(
        group: String, maximumBodySize: Int = CreatePipeline.defaultMaximumBodySize,
        authentication: EventAuthentication = .none
    ) async throws -> WorkerSummary {
        try await core.runWorker(group: group, maximumBodySize: maximumBodySize, authentication: authentication)
    }

    func readAll(_ topic: String) throws -> [KafkaMessage] { try core.readAll(topic) }

    func recordCount(_ topic: String) throws -> Int { try core.recordCount(topic) }

    /// Writes dead letters as the worker does, one per code (the API page's example body, the
    /// worker's six headers last), spread over the dead-letter topic's partitions.
    func writeDeadLetters(codes: [String]) throws {
        let producer = try KafkaProducer(configuration: core.kafka) { _ in }
        defer { producer.close(timeout: .seconds(5)) }
        for (offset, code) in codes.enumerated() {
            let status = ["InvalidAuthenticationToken": "401", "Forbidden": "403"][code] ?? "400"
            let headers = [
                ("client-request-id", "letter-\(offset)"), ("error-status", status), ("error-code", code),
                ("error", "{}"), ("source-topic", core.topics.input), ("source-partition", "0"),
                ("source-offset", "\(offset)"),
            ].map { KafkaHeader(name: $0.0, value: Array($0.1.utf8)) }
            try producer.produce(
                topic: core.topics.deadLetter, partition: Int32(offset) % Self.partitions, key: nil,
                value: SampleEvents.valid(offset), headers: headers, opaque: 0)
        }
        try producer.flush(timeout: .seconds(30))
    }
}
