import CreatePipeline
import Kafka
import Synchronization

/// Fits a dead letter under a size limit by leaving out, in order, the value, the
/// inbound headers and the key (see ``DeadLetterShape``). The error headers and the
/// source coordinates always stay, so the letter still points at the original.
enum DeadLetterFitting {
    static let valueOmittedHeader = "error-value-omitted"
    static let headersOmittedHeader = "error-headers-omitted"
    static let keyOmittedHeader = "error-key-omitted"
    static let errorShortenedHeader = "error-shortened"
    /// What a shortened error keeps of its message, target and client-request-id.
    static let shortenedTextLength = 1024

    /// What a dead letter is made of, before fitting.
    struct Parts {
        var key: [UInt8]?
        var value: [UInt8]?
        /// The inbound headers the letter keeps (all but `authorization`).
        var inboundHeaders: [KafkaHeader]
        var error: GraphError
        var context: CreateContext
        var sourceTopic: String
        var sourcePartition: Int32
        var sourceOffset: Int64
    }

    /// The letter in the first shape, from `shape` on, that fits `limit`; the last
    /// shape when none does (the producer then refuses it, and the record fails).
    static func fit(_ parts: Parts, limit: Int, from shape: DeadLetterShape = .whole)
        -> (key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader], shape: DeadLetterShape)
    {
        let errorBody = parts.error.body(context: parts.context)
        let fixedHeaders = errorHeaders(parts, errorBody: errorBody)
        let fixedSize = headersSize(fixedHeaders)
        let inboundSize = headersSize(parts.inboundHeaders)
        var chosen = DeadLetterShape.allCases.last!
        for candidate in DeadLetterShape.allCases where candidate >= shape && candidate < .shortenedError {
            var size = recordOverhead + fixedSize + headersSize(markers(parts, shape: candidate, errorBody: errorBody))
            if candidate < .withoutValue { size += parts.value?.count ?? 0 }
            if candidate < .withoutHeaders { size += inboundSize }
            if candidate < .withoutKey { size += parts.key?.count ?? 0 }
            if size <= limit {
                chosen = candidate
                break
            }
        }
        var headers = chosen < .withoutHeaders ? parts.inboundHeaders : []
        if chosen == .shortenedError {
            headers += errorHeaders(parts, errorBody: shortenedErrorBody(parts))
        } else {
            headers += fixedHeaders
        }
        headers += markers(parts, shape: chosen, errorBody: errorBody)
        return (chosen < .withoutKey ? parts.key : nil, chosen < .withoutValue ? parts.value : nil, headers, chosen)
    }

    /// The size librdkafka holds against `message.max.bytes`: 36 bytes of framing at
    /// most, the key and value, and each header's name and value with their lengths.
    static func recordSize(key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader]) -> Int {
        recordOverhead + (key?.count ?? 0) + (value?.count ?? 0) + headersSize(headers)
    }

    private static let recordOverhead = MessageSizeLimits.recordOverhead

    private static func headersSize(_ headers: [KafkaHeader]) -> Int {
        headers.reduce(0) { total, header in
            let nameLength = header.name.utf8.count
            let valueLength = header.value?.count ?? 0
            return total + nameLength + valueLength + varintSize(nameLength) + varintSize(valueLength)
        }
    }

    /// The length of a zig-zag varint, as librdkafka writes header lengths.
    private static func varintSize(_ value: Int) -> Int {
        var zigzag = UInt64(value) << 1
        var bytes = 1
        while zigzag >= 0x80 {
            zigzag >>= 7
            bytes += 1
        }
        return bytes
    }

    /// `error-status`, `error-code`, `error`, then the source coordinates.
    private static func errorHeaders(_ parts: Parts, errorBody: [UInt8]) -> [KafkaHeader] {
        [
            KafkaHeader(name: "error-status", value: Array(String(parts.error.status).utf8)),
            KafkaHeader(name: "error-code", value: Array(parts.error.code.utf8)),
            KafkaHeader(name: "error", value: errorBody),
            KafkaHeader(name: "source-topic", value: Array(parts.sourceTopic.utf8)),
            KafkaHeader(name: "source-partition", value: Array(String(parts.sourcePartition).utf8)),
            KafkaHeader(name: "source-offset", value: Array(String(parts.sourceOffset).utf8)),
        ]
    }

    /// The headers that say what a shape left out.
    private static func markers(_ parts: Parts, shape: DeadLetterShape, errorBody: [UInt8]) -> [KafkaHeader] {
        var markers: [KafkaHeader] = []
        func add(_ name: String, _ number: Int) {
            markers.append(KafkaHeader(name: name, value: Array(String(number).utf8)))
        }
        if shape >= .withoutValue, let value = parts.value { add(valueOmittedHeader, value.count) }
        if shape >= .withoutHeaders, !parts.inboundHeaders.isEmpty {
            add(headersOmittedHeader, parts.inboundHeaders.count)
        }
        if shape >= .withoutKey, let key = parts.key { add(keyOmittedHeader, key.count) }
        if shape >= .shortenedError { add(errorShortenedHeader, errorBody.count) }
        return markers
    }

    private static func shortenedErrorBody(_ parts: Parts) -> [UInt8] {
        let cut = { (text: String) in String(text.prefix(shortenedTextLength)) }
        let error = GraphError(
            status: parts.error.status, code: parts.error.code, message: cut(parts.error.message),
            target: parts.error.target.map(cut))
        var context = parts.context
        context.clientRequestID = context.clientRequestID.map(cut)
        return error.body(context: context)
    }
}
