import CreatePipeline
import Kafka

/// What `usp-worker backfill` needs, after flags and environment were read.
public struct BackfillConfiguration: Sendable {
    /// The JSON-lines file, plain or gzip; `-` is standard input.
    public var input: String
    /// The inbound topic the lines go to.
    public var topic: String
    /// librdkafka properties (brokers, TLS, SASL…), as for `usp-worker run`.
    public var kafka: KafkaConfiguration
    /// Lines longer than this many bytes are not produced (see ``BackfillSummary``).
    /// The worker's default body limit, so no line is sent that it would refuse as too large.
    public var maximumLineSize: Int
    /// Headers added to every record after `idempotency-key`, e.g. an
    /// `authorization` for workers that verify tokens.
    public var extraHeaders: [KafkaHeader]
    /// How often `progress` is called while lines are read and delivered.
    public var progressInterval: Duration

    /// A configuration with the worker's body limit, no extra header and a
    /// report every 10 s.
    public init(
        input: String,
        topic: String,
        kafka: KafkaConfiguration,
        maximumLineSize: Int = CreatePipeline.defaultMaximumBodySize,
        extraHeaders: [KafkaHeader] = [],
        progressInterval: Duration = .seconds(10)
    ) {
        self.input = input
        self.topic = topic
        self.kafka = kafka
        self.maximumLineSize = maximumLineSize
        self.extraHeaders = extraHeaders
        self.progressInterval = progressInterval
    }
}
