import class Foundation.Thread

extension KafkaProducer {
    /// Like ``produce(topic:partition:key:value:headers:opaque:)``, but when the
    /// producer's queue is full it waits for delivery reports to make room, up
    /// to `timeout`, instead of throwing `.queueFull` at once.
    ///
    /// A full queue empties at the broker's pace; librdkafka offers no event
    /// for "room again" to wait on, so this retries every millisecond.
    public func produce(
        topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader] = [],
        opaque: UInt64, waitingForRoomUpTo timeout: Duration
    ) throws(KafkaError) {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                try produce(
                    topic: topic, partition: partition, key: key, value: value, headers: headers, opaque: opaque)
                return
            } catch {
                guard error.code == .queueFull, ContinuousClock.now < deadline else { throw error }
                Thread.sleep(forTimeInterval: 0.001)
            }
        }
    }
}
