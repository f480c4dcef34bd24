import Foundation
import HTTPListener
import Kafka
import KafkaTestSupport
import Logging
import ServiceLifecycle
import Testing
import Worker

/// The kit's test bed (all three topics with the same partitions, names starting `ops-`),
/// and a worker with its HTTP listener on a loopback port the system chose,
/// run the way `usp-worker run` runs them: one service group, listener first.
@dynamicMemberLookup
final class HTTPListenerTestBed: Sendable {
    let core: KafkaTestBed

    init(partitions: Int32) throws {
        core = try KafkaTestBed(
            prefix: "ops-", partitions: partitions, outputPartitions: partitions, deadLetterPartitions: partitions)
    }

    subscript<Value>(dynamicMember property: KeyPath<KafkaTestBed, Value>) -> Value { core[keyPath: property] }

    /// The worker's configuration: it runs on (not until caught up), with statistics every
    /// 200 ms, so the checks follow the cluster within a second.
    func workerConfiguration(group: String) -> WorkerConfiguration {
        var configuration = core.workerConfiguration(group: group, untilCaughtUp: false)
        configuration.kafka["statistics.interval.ms"] = "200"
        return configuration
    }

    @discardableResult
    func load(_ count: Int, from first: Int = 0, headers: (Int) -> [KafkaHeader] = { _ in [] }) throws -> Int {
        try core.load(count, from: first, headers: headers)
    }

    func recordCount(_ topic: String) throws -> Int { try core.recordCount(topic) }

    func readAll(_ topic: String) throws -> [KafkaMessage] { try core.readAll(topic) }

    /// Starts `observed` and its listener on 127.0.0.1, port chosen by the
    /// system; returns once the listener accepts connections.
    func start(_ observed: ObservedWorker) async throws -> RunningWorker {
        var logger = Logger(label: "operations-test")
        logger.logLevel = .warning
        let port = AsyncStream.makeStream(of: Int.self)
        let server = HTTPListenerService(
            address: .init(host: "127.0.0.1", port: 0), routes: observed.routes, logger: logger,
            onListening: { port.continuation.yield($0) })
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(
                        service: server, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup),
                    .init(
                        service: WorkerService(worker: observed.worker),
                        successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup),
                ],
                logger: logger))
        let task = Task { try await group.run() }
        let listening = await withTaskGroup(of: Int?.self) { race in
            race.addTask { await port.stream.first { _ in true } }
            race.addTask {
                try? await Task.sleep(for: .seconds(30))
                return nil
            }
            defer { race.cancelAll() }
            return await race.next() ?? nil
        }
        guard let listening else {
            await group.triggerGracefulShutdown()
            throw TestFailure("the listener did not start within 30 s")
        }
        return RunningWorker(worker: observed.worker, group: group, task: task, client: HTTPProbe(port: listening))
    }
}

/// A worker and its listener running in a service group.
struct RunningWorker: Sendable {
    let worker: Worker
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let client: HTTPProbe

    /// Drains the worker and stops the listener, as SIGTERM does.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}
