import Kafka
import Logging

import class Foundation.Thread

/// The start-up check of the output topics' `max.message.bytes` against what the
/// worker may send them (``MessageSizeLimits``): the contract's "the worker checks
/// at start where the broker lets it, and names what to raise".
///
/// The broker is asked with DescribeConfigs. Where it answers, a topic too small is
/// named with the value to raise it to, and the dead-letter topic's limit becomes the
/// dead letters' (they leave out parts sooner rather than being refused). Where it
/// does not (no such API, as in librdkafka's mock cluster, or no permission), the
/// worker warns and goes on: entities the broker refuses for size are dead-lettered,
/// and dead letters it refuses are published again with less in them.
struct TopicSizeCheck {
    /// What the check found about one topic.
    enum Finding: Equatable {
        case sufficient(topic: String, maxMessageBytes: Int)
        case tooSmall(topic: String, role: Role, maxMessageBytes: Int, required: Int)
        case unknown(topics: [String], required: Int, reason: String)
    }

    enum Role: String, Equatable {
        case output = "output topic"
        case deadLetter = "dead-letter topic"
    }

    static let propertyName = "max.message.bytes"

    let topics: WorkerConfiguration.Topics
    let limits: MessageSizeLimits
    let maximumBodySize: Int

    /// Runs the check on a thread of its own, so that a broker slow to answer (or one that
    /// never does, like the embedded cluster) does not delay the start; dead letters
    /// published before it answers are fitted to the producer's limit, and published
    /// again with less in them if the topic refuses them.
    func start(producer: KafkaProducer, deadLetterLimit: DeadLetterLimit, logger: Logger) {
        let thread = Thread {
            run(producer: producer, deadLetterLimit: deadLetterLimit, logger: logger)
        }
        thread.name = "usp-worker-topic-check"
        thread.start()
    }

    /// Asks the broker, logs what it found, and lowers the dead letters' limit to what
    /// the dead-letter topic takes.
    func run(producer: KafkaProducer, deadLetterLimit: DeadLetterLimit, logger: Logger, timeout: Duration = .seconds(5))
    {
        if limits.producerMessageMaxBytes < limits.derivedMessageMaxBytes {
            let warning =
                "message.max.bytes=\(limits.producerMessageMaxBytes) is below the \(limits.derivedMessageMaxBytes) "
                + "that entities of bodies up to --max-body-size \(maximumBodySize) need; larger entities are "
                + "dead-lettered (EntityNotPublished)"
            logger.warning("\(warning)")
        }
        let answer: Result<[String: Result<[String: String], KafkaError>], KafkaError>
        do {
            answer = .success(
                try producer.describeTopicConfiguration(
                    [topics.output, topics.deadLetter], names: [Self.propertyName], timeout: timeout))
        } catch {
            answer = .failure(error)
        }
        let findings = assess(answer)
        for finding in findings {
            switch finding {
            case .sufficient(let topic, let bytes):
                logger.info("topic size checked", metadata: ["topic": "\(topic)", "max.message.bytes": "\(bytes)"])
                if topic == topics.deadLetter {
                    deadLetterLimit.bytes = limits.deadLetterLimit(topicMaxMessageBytes: bytes)
                }
            case .tooSmall(let topic, _, let bytes, _):
                logger.warning("\(Self.message(for: finding, maximumBodySize: maximumBodySize))")
                if topic == topics.deadLetter {
                    deadLetterLimit.bytes = limits.deadLetterLimit(topicMaxMessageBytes: bytes)
                }
            case .unknown:
                logger.warning("\(Self.message(for: finding, maximumBodySize: maximumBodySize))")
            }
        }
    }

    /// What the broker's answer (or its failure) says about each output topic.
    func assess(_ answer: Result<[String: Result<[String: String], KafkaError>], KafkaError>) -> [Finding] {
        let required = limits.requiredTopicMaxMessageBytes
        let wanted = [(topics.output, Role.output), (topics.deadLetter, Role.deadLetter)]
        let described: [String: Result<[String: String], KafkaError>]
        switch answer {
        case .failure(let error):
            return [.unknown(topics: wanted.map(\.0), required: required, reason: error.description)]
        case .success(let topics): described = topics
        }
        var findings: [Finding] = []
        var unknown: [(String, String)] = []
        for (topic, role) in wanted {
            switch described[topic] {
            case .success(let values):
                guard let bytes = values[Self.propertyName].flatMap({ Int($0) }) else {
                    unknown.append((topic, "the broker did not report \(Self.propertyName)"))
                    continue
                }
                findings.append(
                    bytes >= required
                        ? .sufficient(topic: topic, maxMessageBytes: bytes)
                        : .tooSmall(topic: topic, role: role, maxMessageBytes: bytes, required: required))
            case .failure(let error): unknown.append((topic, error.description))
            case nil: unknown.append((topic, "the broker did not describe it"))
            }
        }
        if !unknown.isEmpty {
            findings.append(
                .unknown(
                    topics: unknown.map(\.0), required: required,
                    reason: unknown.map { "\($0.0): \($0.1)" }.joined(separator: "; ")))
        }
        return findings
    }

    /// The warning for a topic too small or not described: which topic, and what to raise it to.
    static func message(for finding: Finding, maximumBodySize: Int) -> String {
        let bodies = "bodies up to --max-body-size \(maximumBodySize)"
        switch finding {
        case .sufficient(let topic, let bytes):
            return "\(topic) accepts records of up to \(bytes) bytes"
        case .tooSmall(let topic, .output, let bytes, let required):
            return "the output topic \(topic) has max.message.bytes=\(bytes), below the \(required) that entities of "
                + "\(bodies) need: raise its max.message.bytes to \(required) (until then, larger entities are "
                + "dead-lettered as EntityNotPublished)"
        case .tooSmall(let topic, .deadLetter, let bytes, let required):
            return "the dead-letter topic \(topic) has max.message.bytes=\(bytes), below the \(required) the "
                + "worker's largest records need: raise its max.message.bytes to \(required) (until then, larger "
                + "dead letters leave out their value, inbound headers or key)"
        case .unknown(let topics, let required, let reason):
            return "could not learn max.message.bytes of \(topics.joined(separator: " and ")) (\(reason)): make sure "
                + "each is at least \(required), so that every body up to --max-body-size \(maximumBodySize) is "
                + "publishable (entities the broker refuses for size are dead-lettered; dead letters it refuses "
                + "leave out their value, inbound headers or key)"
        }
    }
}
