import CreatePipeline
import Foundation
import Kafka
import OutboundRecords
import Testing

@testable import Worker

@Suite("Outbound records are the same from both front ends")
struct OutboundRecordTests {
    @Test(
        "CreatedEntityRecord equals the worker's created record for the same event",
        arguments: [
            [KafkaHeader](),
            [
                KafkaHeader(name: "Client-Request-Id", value: Array("c-1".utf8)),
                KafkaHeader(
                    name: "traceparent", value: Array("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".utf8)),
                KafkaHeader(name: "tracestate", value: Array("congo=t61rcWkgMzE".utf8)),
                KafkaHeader(name: "authorization", value: Array("Bearer x".utf8)),
            ],
        ])
    func sharedRecordEqualsTheWorkers(headers: [KafkaHeader]) throws {
        let topics = WorkerConfiguration.Topics()
        let translator = RecordTranslator(pipeline: CreatePipeline(), topics: topics)
        let inbound = InboundRecord(
            partition: 2, offset: 41, timestampMilliseconds: 1_483_228_846_169, key: nil,
            value: Array(try Examples.request), headers: headers)
        let fromWorker = translator.translate(inbound)
        let context = translator.context(for: inbound)
        guard case .created(let entity) = CreatePipeline().create(try Examples.request, context: context) else {
            Issue.record("the example is valid")
            return
        }
        let shared = CreatedEntityRecord(
            entity: entity, requestID: context.requestID, requestHeader: inbound.headerValue)
        #expect(fromWorker.kind == .entity)
        #expect(fromWorker.topic == topics.output)
        #expect(fromWorker.key == shared.key)
        #expect(fromWorker.value == shared.value)
        #expect(fromWorker.headers == shared.headers)
    }
}
