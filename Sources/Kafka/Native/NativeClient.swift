internal import CRdKafka

/// Creating a librdkafka client handle, shared by the consumer and the producer.
enum NativeClient {
    /// rd_kafka_new with `conf`, which it takes over on success; on failure `conf` is
    /// destroyed here and librdkafka's message (secrets cut out) thrown.
    static func create(
        _ type: rd_kafka_type_t, _ conf: OpaquePointer, configuration: KafkaConfiguration
    ) throws(KafkaError) -> OpaquePointer {
        var errorText = [CChar](repeating: 0, count: 512)
        // rd_kafka_new takes ownership of `conf` on success only.
        guard let handle = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            let message = configuration.redactingSecrets(in: String(cBuffer: errorText))
            throw KafkaError(code: .invalidArg, name: "INVALID_CONFIGURATION", message: message, isRetriable: false)
        }
        return handle
    }

    /// The client's fatal error (rd_kafka_fatal_error), if it raised one.
    static func fatalError(_ handle: OpaquePointer) -> KafkaError? {
        var text = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(handle, &text, text.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return KafkaError(code: KafkaErrorCode(code), message: String(cBuffer: text), isRetriable: false, isFatal: true)
    }
}
