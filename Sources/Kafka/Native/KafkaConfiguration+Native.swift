internal import CRdKafka

extension KafkaConfiguration {
    /// Builds an `rd_kafka_conf_t` (the caller owns it). An unknown or invalid property
    /// throws with librdkafka's message naming it; a secret's value is cut from it.
    /// Every client's librdkafka log lines go through ``KafkaLogging``, and this
    /// configuration's secrets are registered to be cut out of them.
    func makeNativeConfiguration() throws(KafkaError) -> OpaquePointer {
        SecretValues.register(self)
        let conf = rd_kafka_conf_new()!
        rd_kafka_conf_set_log_cb(conf, KafkaLogging.callback)
        var errorText = [CChar](repeating: 0, count: 512)
        for (key, value) in properties {
            let result = rd_kafka_conf_set(conf, key, value, &errorText, errorText.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                var message = String(cBuffer: errorText)
                if Self.isSecret(key) || message.isEmpty {
                    message = "Invalid value for configuration property \"\(key)\""
                } else if !message.contains(key) {
                    message += " (property \"\(key)\")"
                }
                let unknown = result == RD_KAFKA_CONF_UNKNOWN
                throw KafkaError(
                    code: .invalidArg, name: unknown ? "UNKNOWN_PROPERTY" : "INVALID_PROPERTY",
                    message: message, isRetriable: false)
            }
        }
        return conf
    }
}
