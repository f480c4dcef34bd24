import CreatePipeline
import Kafka
import KafkaTestSupport
import Testing

@testable import Worker

extension KafkaTestBed {
    /// Outputs expected for every input, computed by the worker's own
    /// translator from the input as stored (timestamps included).
    func expectedOutputs(
        inputCount: Int, authentication: EventAuthentication = .none
    ) throws -> [InputCoordinate: OutboundRecord] {
        let translator = RecordTranslator(pipeline: CreatePipeline(), topics: topics, authentication: authentication)
        var expected: [InputCoordinate: OutboundRecord] = [:]
        for message in try read(topics.input, count: inputCount) {
            let record = InboundRecord(
                partition: message.partition, offset: message.offset,
                timestampMilliseconds: message.timestampMilliseconds, key: message.key, value: message.value,
                headers: message.headers)
            let coordinate = InputCoordinate(partition: message.partition, offset: message.offset)
            expected[coordinate] = translator.translate(record)
        }
        return expected
    }

    /// Reads both output topics and audits them against what the worker's translator
    /// makes of the input (see the kit's `verifyOutputs(expected:…)`).
    @discardableResult
    func verifyOutputs(
        inputCount: Int, expectedCreated: Int, allowDuplicates: Bool, authentication: EventAuthentication = .none,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (entities: [KafkaMessage], deadLetters: [KafkaMessage]) {
        let expected = try expectedOutputs(inputCount: inputCount, authentication: authentication).mapValues {
            ExpectedOutput(isEntity: $0.kind == .entity, key: $0.key, value: $0.value, headers: $0.headers)
        }
        return try verifyOutputs(
            expected: expected, inputCount: inputCount, expectedCreated: expectedCreated,
            allowDuplicates: allowDuplicates, sourceLocation: sourceLocation)
    }
}
