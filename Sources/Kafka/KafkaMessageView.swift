internal import CRdKafka

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A consumed message as librdkafka holds it, lent to the body of
/// ``KafkaConsumer/poll(maxMessages:timeout:_:)``: nothing is copied, and the view
/// and its buffers are valid only during that call (the type is `~Copyable` and
/// lent `borrowing`, so it cannot escape).
public struct KafkaMessageView: ~Copyable {
    private let message: UnsafeMutablePointer<rd_kafka_message_t>

    init(_ message: UnsafeMutablePointer<rd_kafka_message_t>) {
        self.message = message
    }

    /// The topic's name (allocates a String each time it is read).
    public var topic: String { String(cString: rd_kafka_topic_name(message.pointee.rkt)) }

    public var partition: Int32 { message.pointee.partition }

    public var offset: Int64 { message.pointee.offset }

    /// The record's timestamp (create or log-append time) in milliseconds since the
    /// epoch; `nil` when the record has none.
    public var timestampMilliseconds: Int64? {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &type)
        return type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || timestamp < 0 ? nil : timestamp
    }

    /// The key's bytes; `nil` is a null key.
    public var key: UnsafeRawBufferPointer? {
        guard let key = message.pointee.key else { return nil }
        return UnsafeRawBufferPointer(start: key, count: message.pointee.key_len)
    }

    /// The value's bytes; `nil` is a null value (a tombstone); an empty buffer is an
    /// empty, non-null value.
    public var value: UnsafeRawBufferPointer? {
        guard let payload = message.pointee.payload else { return nil }
        return UnsafeRawBufferPointer(start: payload, count: message.pointee.len)
    }

    private var nativeHeaders: OpaquePointer? {
        var headers: OpaquePointer? = nil
        guard rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return headers
    }

    /// How many headers the record has (repeated names counted each time).
    public var headerCount: Int {
        guard let headers = nativeHeaders else { return 0 }
        return rd_kafka_header_cnt(headers)
    }

    /// Visits the headers in record order, without copying: repeated names are
    /// visited each time, null values are passed as `nil`. The buffers are valid only
    /// during the call.
    public func forEachHeader(
        _ body: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer?) throws -> Void
    ) rethrows {
        guard let headers = nativeHeaders else { return }
        var index = 0
        var name: UnsafePointer<CChar>? = nil
        var value: UnsafeRawPointer? = nil
        var size = 0
        while rd_kafka_header_get_all(headers, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            index += 1
            guard let name else { continue }
            let nameBytes = UnsafeRawBufferPointer(start: name, count: strlen(name))
            try body(nameBytes, value.map { UnsafeRawBufferPointer(start: $0, count: size) })
        }
    }

    /// The headers, copied.
    public var headers: [KafkaHeader] {
        var result: [KafkaHeader] = []
        forEachHeader { name, value in
            result.append(KafkaHeader(name: String(decoding: name, as: UTF8.self), value: value.map { Array($0) }))
        }
        return result
    }
}
