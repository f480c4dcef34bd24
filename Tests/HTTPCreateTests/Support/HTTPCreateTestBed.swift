import CreatePipeline
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Kafka
import KafkaTestSupport
import Logging
import Synchronization

@testable import HTTPCreate

/// The kit's test bed, its output topic (three partitions) the endpoint's outbound topic, and a
/// live Hummingbird application serving the endpoint on loopback, publishing there.
final class HTTPCreateTestBed: Sendable {
    private let core: KafkaTestBed
    /// The outbound topic.
    let topic: String
    static let partitions: Int32 = 3

    init() throws {
        core = try KafkaTestBed(partitions: 1, outputPartitions: Self.partitions, deadLetterPartitions: 1)
        topic = core.topics.output
    }

    var cluster: EmbeddedKafkaCluster { core.cluster }

    static var logger: Logger {
        var logger = Logger(label: "http-create-test")
        logger.logLevel = .error
        return logger
    }

    /// The cluster's address, with reconnection backoff short enough for a test to see a
    /// broker come back within a second or two.
    func kafka(_ properties: [String: String] = [:]) -> KafkaConfiguration {
        var configuration = KafkaConfiguration(properties)
        configuration.bootstrapServers = core.bootstrapServers
        configuration["reconnect.backoff.ms"] = "50"
        configuration["reconnect.backoff.max.ms"] = "500"
        return configuration
    }

    /// Runs `test` with the port of a live application serving the endpoint.
    ///
    /// - Parameter pipelineSpy: counts the endpoint's pipeline runs, when given.
    func withServer<Value: Sendable>(
        configuration: UserSecurityProfilesEndpoint.Configuration = .init(),
        authorizer: (any CreateAuthorizer)? = nil,
        deliveryTimeout: Duration = .seconds(5),
        kafka properties: [String: String] = [:],
        pipelineSpy: PipelineSpy? = nil,
        _ test: @escaping @Sendable (Int) async throws -> Value
    ) async throws -> Value {
        let publisher = try EntityPublisher(
            kafka: kafka(properties), topic: topic, deliveryTimeout: deliveryTimeout, logger: Self.logger)
        defer { publisher.close() }
        let pipeline = CreatePipeline(maximumBodySize: configuration.maximumBodySize)
        let endpoint = UserSecurityProfilesEndpoint(
            publisher: publisher, configuration: configuration, authorizer: authorizer
        ) { body, context in
            pipelineSpy?.count()
            return pipeline.create(body, context: context)
        }
        let router = Router()
        endpoint.addRoutes(to: router)
        let application = Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [LingeringCloseHandler()])),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            logger: Self.logger)
        return try await application.test(.live) { client in
            guard let port = client.port else { throw TestBedError.noPort }
            return try await test(port)
        }
    }

    /// Records on the outbound topic now (from its watermarks).
    func recordCount() throws -> Int { try core.recordCount(topic) }

    /// Every record on the outbound topic.
    func records() throws -> [KafkaMessage] { try core.readAll(topic) }
}

private enum TestBedError: Error { case noPort }

/// Counts how often the endpoint ran the create pipeline.
final class PipelineSpy: Sendable {
    private let calls = Atomic<Int>(0)

    func count() { calls.add(1, ordering: .relaxed) }

    /// Pipeline runs so far.
    var runs: Int { calls.load(ordering: .relaxed) }
}
