import Foundation
import Kafka
import Testing

/// Runs `kcat` with `arguments`, killing it after `timeout`; returns standard output.
func runKcat(_ arguments: [String], timeout: Duration) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/kcat")
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let deadline = ContinuousClock.now.advanced(by: timeout)
    var data = Data()
    // Read while it runs so a full pipe never blocks it; bounded by the deadline.
    let reader = output.fileHandleForReading
    let collected = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var buffer = Data()
    DispatchQueue.global().async {
        buffer = reader.readDataToEndOfFile()
        collected.signal()
    }
    while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
    if process.isRunning { process.terminate() }
    process.waitUntilExit()
    _ = collected.wait(timeout: .now() + 5)
    data = buffer
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Suite("Interoperability", .serialized)
struct KafkaInteroperabilityTests {
    @Test func kcatReadsWhatTheProducerWrote() throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = uniqueName("kcat")
        try cluster.createTopic(topic, partitions: 3)
        let producer = try KafkaProducer(configuration: producerConfiguration(cluster), onDelivery: { _ in })
        var expected: [String] = []
        for id in 0..<300 {
            let key = "key-\(id % 17)"
            let value = "value \(id) ü"
            try producer.produce(
                topic: topic, key: bytes(key), value: bytes(value),
                headers: [KafkaHeader(name: "id", value: bytes("\(id)"))], opaque: UInt64(id))
            expected.append("\(key)\t\(value)")
        }
        try producer.flush(timeout: .seconds(10))
        producer.close(timeout: .seconds(5))

        let result = try runKcat(
            [
                "-C", "-b", cluster.bootstrapServers, "-t", topic, "-e", "-o", "beginning", "-q",
                "-f", "%k\\t%s\\n",
            ], timeout: .seconds(30))
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        #expect(lines.count == 300)
        #expect(lines.sorted() == expected.sorted())
        cluster.close()
    }
}
