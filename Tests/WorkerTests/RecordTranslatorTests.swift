import CreatePipeline
import Kafka
import SampleEvents
import Testing

@testable import Worker

@Suite struct RecordTranslatorTests {
    let translator = RecordTranslator(pipeline: CreatePipeline(), topics: WorkerConfiguration.Topics())

    func record(value: [UInt8]?, headers: [KafkaHeader], key: [UInt8]? = Array("k".utf8)) -> InboundRecord {
        InboundRecord(
            partition: 2, offset: 41, timestampMilliseconds: 1_483_228_846_169, key: key, value: value, headers: headers
        )
    }

    func header(_ name: String, _ value: String?) -> KafkaHeader {
        KafkaHeader(name: name, value: value.map { Array($0.utf8) })
    }

    @Test func aValidEventBecomesAnEntityKeyedByItsIdWithTheContractHeaders() throws {
        let output = translator.translate(
            record(
                value: SampleEvents.valid(1),
                headers: [
                    header("Client-Request-Id", "c-1"), header("traceparent", "00-abc-def-01"),
                    header("Authorization", "Bearer secret"),
                ]))
        #expect(output.kind == .entity)
        #expect(output.topic == "userSecurityProfiles.created")
        let id = String(decoding: try #require(output.key), as: UTF8.self)
        let names = output.headers.map(\.name)
        #expect(names == ["content-type", "location", "request-id", "client-request-id", "traceparent"])
        #expect(output.headers[1].value == Array("/security/userSecurityProfiles/\(id)".utf8))
        #expect(output.headers[3].value == Array("c-1".utf8))
        let body = String(decoding: try #require(output.value), as: UTF8.self)
        #expect(body.hasPrefix(##"{"@odata.type":"#microsoft.graph.userSecurityProfile","id":"\##(id)""##))
        #expect(body.contains(#""createdDateTime":"2017-01-01T00:00:46.1690000Z""#))
    }

    @Test func anInvalidEventBecomesADeadLetterWithOriginalBytesAndNoToken() throws {
        let value = SampleEvents.invalid(0)
        let inbound = [
            header("AUTHORIZATION", "Bearer secret"), header("x-vendor", "a"), header("x-vendor", "b"),
            header("x-null", nil),
        ]
        let output = translator.translate(record(value: value, headers: inbound))
        #expect(output.kind == .deadLetter(status: 400, code: "BadRequest"))
        #expect(output.topic == "userSecurityProfiles.create.dlq")
        #expect(output.value == value)
        #expect(output.key == Array("k".utf8))
        #expect(Array(output.headers.prefix(3)) == Array(inbound.dropFirst()))
        #expect(
            output.headers.dropFirst(3).map(\.name) == [
                "error-status", "error-code", "error", "source-topic", "source-partition", "source-offset",
            ])
        #expect(output.headers.allSatisfy { $0.name.lowercased() != "authorization" })
        let headerText = { (name: String) in
            output.headers.first { $0.name == name }.flatMap(\.value).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(headerText("source-partition") == "2")
        #expect(headerText("source-offset") == "41")
        #expect(headerText("error")?.hasPrefix(#"{"error":{"code":"BadRequest""#) == true)
    }

    @Test(arguments: [nil, [UInt8]()])
    func aNullOrEmptyValueIsABadRequest(value: [UInt8]?) {
        let output = translator.translate(record(value: value, headers: []))
        #expect(output.kind == .deadLetter(status: 400, code: "BadRequest"))
        #expect(output.value == value)
    }

    @Test func aRedeliveredRecordYieldsByteIdenticalOutputs() {
        for value in [SampleEvents.valid(3), SampleEvents.invalid(3)] {
            let first = translator.translate(record(value: value, headers: [header("client-request-id", "c")]))
            let second = translator.translate(record(value: value, headers: [header("client-request-id", "c")]))
            #expect(first.key == second.key)
            #expect(first.value == second.value)
            #expect(first.headers == second.headers)
        }
    }

    @Test func theIdempotencyKeyHeaderDecidesTheIdWhateverTheOffset() throws {
        let keyed = [header("Idempotency-Key", "order-7")]
        let one = translator.translate(record(value: SampleEvents.valid(2), headers: keyed))
        let other = translator.translate(
            InboundRecord(
                partition: 0, offset: 999, timestampMilliseconds: 0, key: nil, value: SampleEvents.valid(2),
                headers: keyed))
        let unkeyed = translator.translate(record(value: SampleEvents.valid(2), headers: []))
        #expect(one.key == other.key)
        #expect(one.key != unkeyed.key)
    }
}
