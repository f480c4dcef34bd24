internal import CRdKafka

extension ConsumerCore {
    /// librdkafka's rebalance callback, on the thread inside `rd_kafka_consumer_poll`
    /// or `rd_kafka_consumer_close`: tells the application, then applies the change with
    /// the call the group's protocol requires (incremental for COOPERATIVE).
    func rebalance(_ kind: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let partitions = NativePartitionList.partitions(of: list)
        let cooperative = String(cString: rd_kafka_rebalance_protocol(handle)) == "COOPERATIVE"
        switch kind {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            notify(.assigned(partitions), when: !partitions.isEmpty)
            if cooperative {
                report(rd_kafka_incremental_assign(handle, list), "incremental assign")
            } else {
                report(rd_kafka_assign(handle, list), "assign")
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let lost = rd_kafka_assignment_lost(handle) != 0
            notify(lost ? .lost(partitions) : .revoked(partitions), when: !partitions.isEmpty)
            if cooperative {
                report(rd_kafka_incremental_unassign(handle, list), "incremental unassign")
            } else {
                report(rd_kafka_assign(handle, nil), "unassign")
            }
        default:
            reportError(KafkaError(kind, "rebalance"))
            report(rd_kafka_assign(handle, nil), "unassign")
        }
    }

    private func notify(_ event: RebalanceEvent, when condition: Bool) {
        guard condition else { return }
        // nil while the consumer is being deinitialized: the change is still applied,
        // but there is no consumer left to hand to the handler.
        guard let consumer = handlers.withLock({ $0.consumer }) else { return }
        onRebalance(event, consumer)
    }

    private func report(_ error: OpaquePointer?, _ context: String) {
        if let error {
            var kafkaError = KafkaError(consuming: error)
            kafkaError.message = "\(context): \(kafkaError.message)"
            reportError(kafkaError)
        }
    }

    private func report(_ error: rd_kafka_resp_err_t, _ context: String) {
        if error != RD_KAFKA_RESP_ERR_NO_ERROR { reportError(KafkaError(error, context)) }
    }
}
