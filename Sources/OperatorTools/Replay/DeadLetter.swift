import Kafka

/// A record of the dead-letter topic, read back: the inbound record it holds
/// and what the worker added to it.
///
/// The worker appends its six headers (`error-status`, `error-code`, `error`,
/// `source-topic`, `source-partition`, `source-offset`) after the inbound
/// record's own. When the letter ends with exactly that block, only the block
/// is removed, so an inbound header that happens to share one of those names
/// comes back too. A letter that does not end with it (written by another
/// tool) loses every header of those names, matched without regard to case.
///
/// A letter too large to publish whole was published without some of its parts;
/// headers after the block say which (``omittedHeaderNames``), and
/// ``restoring(from:)`` puts them back from the source record.
public struct DeadLetter: Sendable, Hashable {
    /// The headers the worker adds to a dead letter, in the order it adds them.
    public static let addedHeaderNames = [
        "error-status", "error-code", "error", "source-topic", "source-partition", "source-offset",
    ]
    /// The headers the worker puts after the block when it left parts out, in this
    /// order: the value's length, the inbound headers' count, the key's length, and
    /// the full error body's length when it shortened that.
    public static let omittedHeaderNames = [
        "error-value-omitted", "error-headers-omitted", "error-key-omitted", "error-shortened",
    ]

    /// Where the letter is in the dead-letter topic.
    public var position: TopicPartitionOffset
    /// The inbound record's key, byte for byte (`nil`: none).
    public var key: [UInt8]?
    /// The inbound record's value, byte for byte (`nil`: null).
    public var value: [UInt8]?
    /// The inbound record's headers, as the worker kept them (without `authorization`).
    public var originalHeaders: [KafkaHeader]
    /// The `error-code` the worker gave it.
    public var errorCode: String?
    /// The inbound record's topic (`source-topic`).
    public var sourceTopic: String?
    /// The inbound record's partition (`source-partition`).
    public var sourcePartition: Int32?
    /// The inbound record's offset (`source-offset`).
    public var sourceOffset: Int64?
    /// The length of the value the worker left out (`error-value-omitted`).
    public var omittedValueLength: Int?
    /// How many inbound headers the worker left out (`error-headers-omitted`).
    public var omittedHeaderCount: Int?
    /// The length of the key the worker left out (`error-key-omitted`).
    public var omittedKeyLength: Int?

    /// Whether the worker left out the value, headers or key, so that only the source
    /// record can give them back.
    public var isMissingParts: Bool {
        omittedValueLength != nil || omittedHeaderCount != nil || omittedKeyLength != nil
    }

    /// Splits a letter read from the dead-letter topic.
    public init(_ message: KafkaMessage) {
        position = TopicPartitionOffset(topic: message.topic, partition: message.partition, offset: message.offset)
        key = message.key
        value = message.value
        var headers = message.headers
        var omitted: [String: Int] = [:]
        while let last = headers.last, Self.omittedHeaderNames.contains(last.name), omitted[last.name] == nil {
            omitted[last.name] = last.value.flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
            headers.removeLast()
        }
        let tail = headers.suffix(Self.addedHeaderNames.count)
        var added: [String: String] = [:]
        if tail.map(\.name) == Self.addedHeaderNames {
            originalHeaders = Array(headers.dropLast(Self.addedHeaderNames.count))
            for header in tail { added[header.name] = header.value.map { String(decoding: $0, as: UTF8.self) } }
        } else {
            originalHeaders = []
            for header in headers {
                let name = header.name.lowercased()
                if Self.omittedHeaderNames.contains(name) {
                    omitted[name] = header.value.flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
                } else if Self.addedHeaderNames.contains(name) {
                    added[name] = header.value.map { String(decoding: $0, as: UTF8.self) }
                } else {
                    originalHeaders.append(header)
                }
            }
        }
        errorCode = added["error-code"]
        sourceTopic = added["source-topic"]
        sourcePartition = added["source-partition"].flatMap { Int32($0) }
        sourceOffset = added["source-offset"].flatMap { Int64($0) }
        omittedValueLength = omitted["error-value-omitted"]
        omittedHeaderCount = omitted["error-headers-omitted"]
        omittedKeyLength = omitted["error-key-omitted"]
    }

    /// The letter with the parts the worker left out taken from its source record
    /// (read at `source-topic`/`source-partition`/`source-offset`), the source's
    /// `authorization` headers left out as the worker leaves them out; nil when the
    /// record read is not the one left out (a length or count differs).
    public func restoring(from source: KafkaMessage) -> DeadLetter? {
        var letter = self
        if let length = omittedValueLength {
            guard source.value?.count == length else { return nil }
            letter.value = source.value
            letter.omittedValueLength = nil
        }
        if let count = omittedHeaderCount {
            let headers = source.headers.filter { $0.name.lowercased() != "authorization" }
            guard headers.count == count else { return nil }
            letter.originalHeaders = headers
            letter.omittedHeaderCount = nil
        }
        if let length = omittedKeyLength {
            guard source.key?.count == length else { return nil }
            letter.key = source.key
            letter.omittedKeyLength = nil
        }
        return letter
    }

    /// Where the source record of a letter missing parts is, when the letter says.
    public var source: TopicPartitionOffset? {
        guard let sourceTopic, let sourcePartition, let sourceOffset else { return nil }
        return TopicPartitionOffset(topic: sourceTopic, partition: sourcePartition, offset: sourceOffset)
    }

    /// The headers of the replayed record: the original ones, with an
    /// `idempotency-key` when the original had none the worker would use
    /// (absent, null or empty). That key, `dead-letter:<source topic>/<partition>@<offset>`
    /// (the letter's own position when it names no source), makes the replay
    /// idempotent: the letter sent twice (a replay interrupted before its
    /// commit, or the same record dead-lettered twice) creates one entity id.
    public var replayHeaders: [KafkaHeader] {
        var headers = originalHeaders
        let derived = Array(derivedIdempotencyKey.utf8)
        if let index = headers.firstIndex(where: { $0.name.lowercased() == "idempotency-key" }) {
            if headers[index].value?.isEmpty ?? true { headers[index].value = derived }
        } else {
            headers.append(KafkaHeader(name: "idempotency-key", value: derived))
        }
        return headers
    }

    /// `dead-letter:<topic>/<partition>@<offset>` of the inbound record it came from.
    var derivedIdempotencyKey: String {
        if let sourceTopic, let sourcePartition, let sourceOffset {
            return "dead-letter:\(sourceTopic)/\(sourcePartition)@\(sourceOffset)"
        }
        return "dead-letter:\(position.topic)/\(position.partition)@\(position.offset)"
    }
}
