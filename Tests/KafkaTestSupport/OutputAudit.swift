import Kafka
import Testing

/// Where an input record sits: its partition and offset on the input topic.
public struct InputCoordinate: Hashable, Sendable, CustomStringConvertible {
    public var partition: Int32
    public var offset: Int64
    public var description: String { "\(partition)@\(offset)" }

    public init(partition: Int32, offset: Int64) {
        self.partition = partition
        self.offset = offset
    }
}

/// The output the contract asks for one input: an entity (keyed by its id) or a dead letter.
public struct ExpectedOutput: Sendable {
    public var isEntity: Bool
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [KafkaHeader]

    public init(isEntity: Bool, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader]) {
        self.isEntity = isEntity
        self.key = key
        self.value = value
        self.headers = headers
    }
}

extension KafkaTestBed {
    /// Reads both output topics and checks them against `expected` (one output per input):
    /// each input has an output equal to the expected one, byte for byte; any duplicate is
    /// byte-identical to the first; per input partition, outputs landing in one output
    /// partition keep input order; nothing was dropped by the embedded cluster.
    @discardableResult
    public func verifyOutputs(
        expected: [InputCoordinate: ExpectedOutput], inputCount: Int, expectedCreated: Int, allowDuplicates: Bool,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (entities: [KafkaMessage], deadLetters: [KafkaMessage]) {
        #expect(expected.count == inputCount, sourceLocation: sourceLocation)
        for topic in [topics.output, topics.deadLetter] {
            let dropped = try watermarks(topic).map(\.low).reduce(0, +)
            #expect(dropped == 0, "the embedded cluster kept every record of \(topic)", sourceLocation: sourceLocation)
        }
        var inputOfID: [[UInt8]: InputCoordinate] = [:]
        for (coordinate, output) in expected where output.isEntity { inputOfID[output.key!] = coordinate }
        let entities = try readAll(topics.output)
        let deadLetters = try readAll(topics.deadLetter)

        var audit = OutputAudit(expected: expected, checkOrder: !allowDuplicates, sourceLocation: sourceLocation)
        for message in entities.sorted(by: Self.byPosition) {
            audit.check(message, coordinate: message.key.flatMap { inputOfID[$0] })
        }
        for message in deadLetters.sorted(by: Self.byPosition) {
            audit.check(message, coordinate: Self.sourceCoordinate(of: message))
        }
        #expect(audit.seen.count == inputCount, "every input has an output", sourceLocation: sourceLocation)
        let unexpected = Set(audit.seen.keys).subtracting(expected.keys).count
        #expect(unexpected == 0, "outputs only for inputs", sourceLocation: sourceLocation)
        #expect(audit.misordered == 0, "outputs keep input order per partition", sourceLocation: sourceLocation)
        if !allowDuplicates {
            #expect(audit.duplicates == 0, "exactly one output per input", sourceLocation: sourceLocation)
            #expect(entities.count == expectedCreated, sourceLocation: sourceLocation)
            #expect(deadLetters.count == inputCount - expectedCreated, sourceLocation: sourceLocation)
        }
        return (entities, deadLetters)
    }

    static func byPosition(_ a: KafkaMessage, _ b: KafkaMessage) -> Bool {
        (a.partition, a.offset) < (b.partition, b.offset)
    }

    /// The input a dead letter stands for, from its `source-partition` and `source-offset` headers.
    public static func sourceCoordinate(of deadLetter: KafkaMessage) -> InputCoordinate? {
        guard let partition = deadLetter.header("source-partition").flatMap({ Int32($0) }),
            let offset = deadLetter.header("source-offset").flatMap({ Int64($0) })
        else { return nil }
        return InputCoordinate(partition: partition, offset: offset)
    }
}

extension KafkaMessage {
    /// The value of the first header with this name, as text.
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Checks outputs one by one against the expected ones, counting duplicates
/// and order violations.
private struct OutputAudit {
    let expected: [InputCoordinate: ExpectedOutput]
    let checkOrder: Bool
    let sourceLocation: SourceLocation
    var seen: [InputCoordinate: KafkaMessage] = [:]
    var duplicates = 0
    var misordered = 0
    private var lastOffset: [OrderKey: Int64] = [:]

    init(expected: [InputCoordinate: ExpectedOutput], checkOrder: Bool, sourceLocation: SourceLocation) {
        self.expected = expected
        self.checkOrder = checkOrder
        self.sourceLocation = sourceLocation
    }

    mutating func check(_ message: KafkaMessage, coordinate: InputCoordinate?) {
        guard let coordinate, let want = expected[coordinate] else {
            Issue.record(
                "an output matches no input: \(message.topic)/\(message.partition)@\(message.offset)",
                sourceLocation: sourceLocation)
            return
        }
        let matches = message.key == want.key && message.value == want.value && message.headers == want.headers
        #expect(matches, "output of \(coordinate) equals the contract's", sourceLocation: sourceLocation)
        if let first = seen[coordinate] {
            duplicates += 1
            let identical = first.value == message.value && first.headers == message.headers
            #expect(identical, "a duplicate is byte-identical to the first", sourceLocation: sourceLocation)
        } else {
            seen[coordinate] = message
        }
        let key = OrderKey(
            topic: message.topic, outputPartition: message.partition, inputPartition: coordinate.partition)
        if checkOrder, let last = lastOffset[key], last > coordinate.offset { misordered += 1 }
        lastOffset[key] = max(lastOffset[key] ?? -1, coordinate.offset)
    }
}

private struct OrderKey: Hashable {
    var topic: String
    var outputPartition: Int32
    var inputPartition: Int32
}
