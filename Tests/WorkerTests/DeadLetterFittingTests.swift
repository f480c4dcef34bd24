import CreatePipeline
import Kafka
import Testing

@testable import Worker

/// Dead letters too large to publish whole leave out, in order, the value, the inbound
/// headers and the key; the error headers and the source coordinates always stay.
@Suite struct DeadLetterFittingTests {
    private static let context = CreateContext(
        idempotencyBasis: .named("fit"), eventTime: GraphTimestamp(unixMilliseconds: 0), requestID: "r",
        clientRequestID: "c", responseTime: GraphTimestamp(unixMilliseconds: 0))

    private static func parts(key: Int, value: Int, headers: Int, error: GraphError = .badRequest("bad"))
        -> DeadLetterFitting.Parts
    {
        DeadLetterFitting.Parts(
            key: [UInt8](repeating: 0x6B, count: key), value: [UInt8](repeating: 0x76, count: value),
            inboundHeaders: (0..<headers).map {
                KafkaHeader(name: "h-\($0)", value: [UInt8](repeating: 0x68, count: 100))
            },
            error: error, context: context, sourceTopic: "in", sourcePartition: 3, sourceOffset: 7)
    }

    private static func header(_ headers: [KafkaHeader], _ name: String) -> String? {
        headers.first { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
    }

    private static let errorAndSource = [
        "error-status", "error-code", "error", "source-topic", "source-partition", "source-offset",
    ]

    @Test func aLetterThatFitsIsPublishedWhole() {
        let letter = DeadLetterFitting.fit(Self.parts(key: 10, value: 1_000, headers: 3), limit: 1_081_344)
        #expect(letter.shape == .whole)
        #expect(letter.value?.count == 1_000)
        #expect(letter.key?.count == 10)
        #expect(letter.headers.map(\.name) == ["h-0", "h-1", "h-2"] + Self.errorAndSource)
    }

    @Test func theValueGoesFirstThenTheHeadersThenTheKey() {
        let parts = Self.parts(key: 20_000, value: 50_000, headers: 100)  // headers: about 10,500 bytes
        let withoutValue = DeadLetterFitting.fit(parts, limit: 40_000)
        #expect(withoutValue.shape == .withoutValue)
        #expect(withoutValue.value == nil)
        #expect(withoutValue.key?.count == 20_000)
        #expect(withoutValue.headers.count == 100 + 6 + 1)
        #expect(Self.header(withoutValue.headers, "error-value-omitted") == "50000")

        let withoutHeaders = DeadLetterFitting.fit(parts, limit: 25_000)
        #expect(withoutHeaders.shape == .withoutHeaders)
        #expect(withoutHeaders.key?.count == 20_000)
        #expect(
            withoutHeaders.headers.map(\.name) == Self.errorAndSource + [
                "error-value-omitted", "error-headers-omitted",
            ])
        #expect(Self.header(withoutHeaders.headers, "error-headers-omitted") == "100")

        let withoutKey = DeadLetterFitting.fit(parts, limit: 5_000)
        #expect(withoutKey.shape == .withoutKey)
        #expect(withoutKey.key == nil && withoutKey.value == nil)
        #expect(
            withoutKey.headers.map(\.name)
                == Self.errorAndSource + ["error-value-omitted", "error-headers-omitted", "error-key-omitted"])
        #expect(Self.header(withoutKey.headers, "error-key-omitted") == "20000")
        #expect(Self.header(withoutKey.headers, "source-partition") == "3")
        #expect(Self.header(withoutKey.headers, "source-offset") == "7")
        #expect(Self.header(withoutKey.headers, "error-status") == "400")
        for letter in [withoutValue, withoutHeaders, withoutKey] {
            let size = DeadLetterFitting.recordSize(key: letter.key, value: letter.value, headers: letter.headers)
            #expect(size <= 40_000)
        }
    }

    @Test func anErrorTooLargeOnItsOwnIsShortenedAsTheLastResort() {
        // Hostile bodies' property names are echoed in the error: here one of 100,000 bytes.
        let name = String(repeating: "n", count: 100_000)
        let error = GraphError.badRequest(
            "The property '\(name)' does not exist.", target: name,
            details: [
                GraphErrorDetail(
                    code: "UnknownProperty", message: "The property '\(name)' does not exist.", target: name)
            ])
        let letter = DeadLetterFitting.fit(Self.parts(key: 10, value: 10, headers: 1, error: error), limit: 20_000)
        #expect(letter.shape == .shortenedError)
        let body = Self.header(letter.headers, "error") ?? ""
        #expect(body.utf8.count < 5_000)
        #expect(body.contains(#""code":"BadRequest""#) && body.contains(#""details":[]"#))
        #expect(Int(Self.header(letter.headers, "error-shortened") ?? "") ?? 0 > 300_000)
        #expect(DeadLetterFitting.recordSize(key: letter.key, value: letter.value, headers: letter.headers) <= 20_000)
    }

    @Test func aSmallerLetterFollowsARefusedOneFromTheNextShapeOn() {
        let parts = Self.parts(key: 10, value: 10, headers: 2)
        let next = DeadLetterFitting.fit(parts, limit: 1_081_344, from: .withoutValue)
        #expect(next.shape == .withoutValue)
        #expect(next.value == nil && next.key != nil)
        #expect(DeadLetterShape.withoutKey.smaller == .shortenedError)
        #expect(DeadLetterShape.shortenedError.smaller == nil)
    }

    /// The measure agrees with librdkafka's own check: a letter of exactly the limit is
    /// taken, one byte more is refused (MSG_SIZE_TOO_LARGE) before anything is sent.
    @Test func theMeasureIsLibrdkafkasOwn() throws {
        let limit = 200_000
        var configuration = KafkaConfiguration()
        configuration.bootstrapServers = "127.0.0.1:1"
        configuration["message.max.bytes"] = String(limit)
        configuration["message.timeout.ms"] = "1000"
        let producer = try KafkaProducer(configuration: configuration, onDelivery: { _ in })
        defer { producer.close(timeout: .milliseconds(100)) }
        let headers = [
            KafkaHeader(name: "a", value: [UInt8](repeating: 1, count: 70)),
            KafkaHeader(name: "null", value: nil),
            KafkaHeader(
                name: "long-" + String(repeating: "x", count: 200), value: [UInt8](repeating: 2, count: 20_000)),
        ]
        let key = [UInt8](repeating: 3, count: 300)
        let fixed = DeadLetterFitting.recordSize(key: key, value: [], headers: headers)
        let fits = [UInt8](repeating: 4, count: limit - fixed)
        #expect(DeadLetterFitting.recordSize(key: key, value: fits, headers: headers) == limit)
        try producer.produce(topic: "t", partition: 0, key: key, value: fits, headers: headers, opaque: 0)
        #expect(throws: KafkaError.self) {
            try producer.produce(topic: "t", partition: 0, key: key, value: fits + [5], headers: headers, opaque: 1)
        }
    }
}
