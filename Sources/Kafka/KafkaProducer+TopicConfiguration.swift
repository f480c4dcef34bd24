internal import CRdKafka

extension KafkaProducer {
    /// Asks the cluster for topics' configuration (the admin API's DescribeConfigs),
    /// e.g. `max.message.bytes`, to check at start what the topics will accept.
    ///
    /// - Parameters:
    ///   - topics: the topics to describe.
    ///   - names: the properties wanted; the result holds only those the broker
    ///     reported (its defaults included).
    /// - Returns: for each topic, its properties, or the error the broker gave for that
    ///   topic (it does not exist, describing it is not authorized).
    /// - Throws: when the request as a whole got no answer: the brokers do not support
    ///   DescribeConfigs, none answered within `timeout` (librdkafka's 2.0.2 mock cluster
    ///   names no controller, so the request waits for one until then), or the producer
    ///   began to close (the wait stops within 100 ms).
    public func describeTopicConfiguration(
        _ topics: [String], names: Set<String>, timeout: Duration
    ) throws(KafkaError) -> [String: Result<[String: String], KafkaError>] {
        guard !topics.isEmpty else { return [:] }
        return try withHandle { (handle) throws(KafkaError) in
            let queue = rd_kafka_queue_new(handle)!
            defer { rd_kafka_queue_destroy(queue) }
            let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS)!
            defer { rd_kafka_AdminOptions_destroy(options) }
            var errorText = [CChar](repeating: 0, count: 512)
            _ = rd_kafka_AdminOptions_set_request_timeout(
                options, timeout.timeoutMilliseconds, &errorText, errorText.count)
            var resources: [OpaquePointer?] = topics.map { rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, $0) }
            defer {
                resources.withUnsafeMutableBufferPointer {
                    rd_kafka_ConfigResource_destroy_array($0.baseAddress, $0.count)
                }
            }
            resources.withUnsafeMutableBufferPointer {
                rd_kafka_DescribeConfigs(handle, $0.baseAddress, $0.count, options, queue)
            }
            // The result arrives on the queue once the request is answered or timed out
            // (the extra second covers librdkafka's own timer); a close stops the wait.
            let deadline = ContinuousClock.now + timeout + .seconds(1)
            var answered: OpaquePointer?
            while answered == nil, !isClosing, ContinuousClock.now < deadline {
                answered = rd_kafka_queue_poll(queue, 100)
            }
            guard let event = answered else {
                throw isClosing
                    ? KafkaError.state("DescribeConfigs: the producer is closing")
                    : KafkaError(code: .timedOut, message: "DescribeConfigs: no answer within \(timeout)")
            }
            defer { rd_kafka_event_destroy(event) }
            let code = rd_kafka_event_error(event)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                let detail = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? ""
                throw KafkaError(code: KafkaErrorCode(code), message: "DescribeConfigs: \(detail)")
            }
            guard let result = rd_kafka_event_DescribeConfigs_result(event) else {
                throw KafkaError(code: .fail, message: "DescribeConfigs: the answer is not a DescribeConfigs result")
            }
            var count = 0
            let described = rd_kafka_DescribeConfigs_result_resources(result, &count)
            var answer: [String: Result<[String: String], KafkaError>] = [:]
            for resource in UnsafeBufferPointer(start: described, count: count) {
                guard let resource else { continue }
                let topic = String(cString: rd_kafka_ConfigResource_name(resource))
                let error = rd_kafka_ConfigResource_error(resource)
                if error != RD_KAFKA_RESP_ERR_NO_ERROR {
                    let detail = rd_kafka_ConfigResource_error_string(resource).map { String(cString: $0) } ?? ""
                    answer[topic] = .failure(
                        KafkaError(code: KafkaErrorCode(error), message: "topic \(topic): \(detail)"))
                    continue
                }
                var entryCount = 0
                let entries = rd_kafka_ConfigResource_configs(resource, &entryCount)
                var values: [String: String] = [:]
                for entry in UnsafeBufferPointer(start: entries, count: entryCount) {
                    guard let entry else { continue }
                    let name = String(cString: rd_kafka_ConfigEntry_name(entry))
                    guard names.contains(name), let value = rd_kafka_ConfigEntry_value(entry) else { continue }
                    values[name] = String(cString: value)
                }
                answer[topic] = .success(values)
            }
            return answer
        }
    }
}
