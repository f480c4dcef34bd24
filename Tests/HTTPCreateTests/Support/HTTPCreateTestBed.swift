import CreatePipeline
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Kafka
import Logging
import Synchronization

@testable import HTTPCreate

/// An embedded cluster with an outbound topic (named for the test), and a live
/// Hummingbird application serving the endpoint on loopback, publishing there.
final class HTTPCreateTestBed: Sendable {
    let cluster: EmbeddedKafkaCluster
    let topic: String
    static let partitions: Int32 = 3

    private static let counter = Atomic<Int>(0)

    init() throws {
        cluster = try EmbeddedKafkaCluster(brokers: 1)
        topic = "created-\(Self.counter.add(1, ordering: .relaxed).newValue)-\(UInt32.random(in: 0...UInt32.max))"
        try cluster.createTopic(topic, partitions: Self.partitions)
    }

    deinit { cluster.close() }

    static var logger: Logger {
        var logger = Logger(label: "http-create-test")
        logger.logLevel = .error
        return logger
    }

    /// The cluster's address, with reconnection backoff short enough for a test to see a
    /// broker come back within a second or two.
    func kafka(_ properties: [String: String] = [:]) -> KafkaConfiguration {
        var configuration = KafkaConfiguration(properties)
        configuration.bootstrapServers = cluster.bootstrapServers
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
    func recordCount() throws -> Int {
        try KafkaConsumer.recordCount(topic: topic, bootstrapServers: cluster.bootstrapServers)
    }

    /// Every record on the outbound topic.
    func records() throws -> [KafkaMessage] {
        let count = try recordCount()
        let records = try KafkaConsumer.readRecords(
            topic: topic, count: count, bootstrapServers: cluster.bootstrapServers, timeout: .seconds(30))
        return records
    }
}

private enum TestBedError: Error { case noPort }

/// Counts how often the endpoint ran the create pipeline.
final class PipelineSpy: Sendable {
    private let calls = Atomic<Int>(0)

    func count() { calls.add(1, ordering: .relaxed) }

    /// Pipeline runs so far.
    var runs: Int { calls.load(ordering: .relaxed) }
}
