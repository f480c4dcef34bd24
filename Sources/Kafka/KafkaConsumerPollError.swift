/// The error of ``KafkaConsumer/poll(maxMessages:timeout:_:)``: either the consumer
/// failed (a fatal error, a closed consumer) or the body threw.
public enum KafkaConsumerPollError<BodyError: Error>: Error {
    /// The consumer failed; the body was not called for the failing step.
    case kafka(KafkaError)
    /// The body threw for one message: that message counts as handed; the next poll
    /// continues after it (seek or reopen to see it again).
    case body(BodyError)
}
