import Kafka

/// A consumed creation event, copied out of librdkafka's buffer into one
/// contiguous allocation.
///
/// The worker keeps each record until its output is acknowledged, because an
/// entity the broker refuses is dead-lettered with the inbound bytes, and
/// librdkafka's buffer is gone by then. One storage array (plus one for the
/// header spans) keeps that copy to two allocations whatever the header count.
struct InboundRecord: Sendable {
    struct HeaderSpan: Sendable {
        var name: Range<Int>
        var value: Range<Int>?
    }

    let partition: Int32
    let offset: Int64
    let timestampMilliseconds: Int64?
    private let storage: [UInt8]
    private let keySpan: Range<Int>?
    private let valueSpan: Range<Int>?
    private let headerSpans: [HeaderSpan]

    init(
        partition: Int32, offset: Int64, timestampMilliseconds: Int64?,
        key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        headerCount: Int,
        forEachHeader: ((UnsafeRawBufferPointer, UnsafeRawBufferPointer?) -> Void) -> Void
    ) {
        self.partition = partition
        self.offset = offset
        self.timestampMilliseconds = timestampMilliseconds
        var storage: [UInt8] = []
        storage.reserveCapacity((key?.count ?? 0) + (value?.count ?? 0) + 64 * headerCount)
        func append(_ bytes: UnsafeRawBufferPointer) -> Range<Int> {
            let start = storage.count
            storage.append(contentsOf: bytes)
            return start..<storage.count
        }
        keySpan = key.map(append)
        valueSpan = value.map(append)
        var spans: [HeaderSpan] = []
        spans.reserveCapacity(headerCount)
        forEachHeader { name, value in
            spans.append(HeaderSpan(name: append(name), value: value.map(append)))
        }
        headerSpans = spans
        self.storage = storage
    }

    /// A record built from owned parts (tests, tools).
    init(
        partition: Int32, offset: Int64, timestampMilliseconds: Int64?,
        key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader]
    ) {
        func withOptional<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
            guard let bytes else { return body(nil) }
            return bytes.withUnsafeBytes { body($0) }
        }
        self = withOptional(key) { key in
            withOptional(value) { value in
                InboundRecord(
                    partition: partition, offset: offset, timestampMilliseconds: timestampMilliseconds,
                    key: key, value: value, headerCount: headers.count
                ) { visit in
                    for header in headers {
                        Array(header.name.utf8).withUnsafeBytes { name in
                            withOptional(header.value) { visit(name, $0) }
                        }
                    }
                }
            }
        }
    }

    /// What the copy holds in memory: its storage (key, value, header names and
    /// values), its header table and the record itself. The byte budget
    /// (``InFlightBudget``) counts this.
    var memoryBytes: Int {
        storage.capacity + headerSpans.capacity * MemoryLayout<HeaderSpan>.stride + MemoryLayout<Self>.stride
    }

    var key: [UInt8]? { keySpan.map { Array(storage[$0]) } }
    var value: [UInt8]? { valueSpan.map { Array(storage[$0]) } }

    /// Calls `body` with the value's bytes in place (nil for a null value).
    func withValue<R>(_ body: (UnsafeRawBufferPointer?) -> R) -> R {
        guard let valueSpan else { return body(nil) }
        return storage.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[valueSpan])) }
    }

    /// Every header in record order, null values and repeated names kept.
    var headers: [KafkaHeader] { headerSpans.map(header) }

    /// The first header with this name, matched without regard to ASCII case,
    /// decoded as UTF-8; nil when absent or null.
    func headerValue(_ lowercasedName: String) -> String? {
        guard let span = headerSpans.first(where: { isNamed($0, lowercasedName) }),
            let value = span.value
        else { return nil }
        return String(decoding: storage[value], as: UTF8.self)
    }

    /// How many headers have this name (matched without regard to ASCII case).
    func headerCount(_ lowercasedName: String) -> Int {
        headerSpans.reduce(0) { $0 + (isNamed($1, lowercasedName) ? 1 : 0) }
    }

    /// Whether a header is the bearer token, which never leaves the worker.
    private func isAuthorization(_ span: HeaderSpan) -> Bool {
        isNamed(span, "authorization")
    }

    private func isNamed(_ span: HeaderSpan, _ lowercasedName: String) -> Bool {
        let wanted = lowercasedName.utf8
        return span.name.count == wanted.count
            && zip(storage[span.name], wanted).allSatisfy { asciiLowercase($0) == $1 }
    }

    /// Every header but `authorization`, in record order, as an output keeps them.
    var headersWithoutAuthorization: [KafkaHeader] {
        headerSpans.filter { !isAuthorization($0) }.map(header)
    }

    private func header(_ span: HeaderSpan) -> KafkaHeader {
        KafkaHeader(
            name: String(decoding: storage[span.name], as: UTF8.self),
            value: span.value.map { Array(storage[$0]) })
    }
}

@inline(__always)
private func asciiLowercase(_ byte: UInt8) -> UInt8 {
    (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
}
