import CreatePipeline
import Foundation
import Testing

@Suite("Line processing (usp-worker process)")
struct LineProcessorTests {
    static let fixedTime = GraphTimestamp(unixMilliseconds: 1_600_000_000_000)

    private func processor(maximumBodySize: Int = CreatePipeline.defaultMaximumBodySize, name: String = "stdin")
        -> LineProcessor
    {
        LineProcessor(
            pipeline: CreatePipeline(maximumBodySize: maximumBodySize), inputName: name,
            clock: { Self.fixedTime }, requestIDs: { "00000000-0000-4000-8000-000000000000" })
    }

    private func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(
            String.init)
    }

    private var validLine: String { TestSupport.compactExampleRequest }

    @Test("Entities go to the entity stream, one JSON line each, and rejections name their line")
    func outputFormatIsJSONLines() throws {
        let input = Array([validLine, "", "[1]", validLine].joined(separator: "\n").utf8) + [0x0A]
        let (entities, rejections, summary) = LineProcessor.process(input, processor: processor())
        #expect(summary == LineProcessor.Summary(read: 4, created: 2, rejected: 2))

        let entityLines = lines(entities)
        #expect(entityLines.count == 2)
        for line in entityLines {
            #expect(TestSupport.topLevelKeys(Array(line.utf8)) == TestSupport.entityKeyOrder)
        }
        #expect(entityLines[0] != entityLines[1], "lines 1 and 4 have different bases, so different ids")

        let rejectionLines = lines(rejections)
        #expect(rejectionLines.count == 2)
        #expect(TestSupport.topLevelKeys(Array(rejectionLines[0].utf8)) == ["line", "status", "error"])
        let blank = try #require(TestSupport.jsonObject(Array(rejectionLines[0].utf8)))
        #expect(blank["line"] as? Int == 2)
        #expect(blank["status"] as? Int == 400)
        let error = try #require(blank["error"] as? [String: Any])
        #expect(error["code"] as? String == "BadRequest")
        #expect((error["details"] as? [[String: Any]])?.first?["code"] as? String == "EmptyBody")
        #expect(
            (error["innerError"] as? [String: Any])?["request-id"] as? String == "00000000-0000-4000-8000-000000000000")
        #expect(TestSupport.jsonObject(Array(rejectionLines[1].utf8))?["line"] as? Int == 3)
    }

    @Test("The id of line N is the id of basis <input name>:N")
    func lineBasisIsInputNameAndLineNumber() throws {
        let (entities, _, _) = LineProcessor.process(
            Array((validLine + "\n" + validLine).utf8), processor: processor(name: "events.jsonl"))
        let second = try #require(lines(entities).last)
        let context = CreateContext(
            idempotencyBasis: .named("events.jsonl:2"), eventTime: Self.fixedTime, requestID: "",
            responseTime: Self.fixedTime)
        guard case .created(let expected) = CreatePipeline().create(Fixtures.exampleRequestBytes, context: context)
        else {
            Issue.record("rejected")
            return
        }
        #expect(second.contains("\"id\":\"\(expected.id)\""))
    }

    @Test("Each entity line is, byte for byte, the entity create returns for that line")
    func entityLinesAreTheCreatedEntities() throws {
        // The second body is larger than the first: the buffer entities are written into grows.
        let bodies = [validLine, String(repeating: " ", count: 3_000) + validLine, validLine]
        let input = Array(bodies.joined(separator: "\n").utf8)
        let (entities, _, summary) = LineProcessor.process(input, processor: processor(name: "in"))
        #expect(summary == LineProcessor.Summary(read: 3, created: 3, rejected: 0))
        let entityLines = entities.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
        #expect(entityLines.count == 3)
        for (index, body) in bodies.enumerated() {
            let context = CreateContext(
                idempotencyBasis: .named("in:\(index + 1)"), eventTime: Self.fixedTime, requestID: "",
                responseTime: Self.fixedTime)
            let result = CreatePipeline().create(Array(body.utf8), context: context)
            guard case .created(let entity) = result else {
                Issue.record("line \(index + 1) was rejected")
                continue
            }
            #expect(Array(entityLines[entityLines.startIndex + index]) == entity.body, "line \(index + 1)")
        }
    }

    @Test("The summary line is JSON with read, created and rejected")
    func summaryLineIsJSON() throws {
        let summary = LineProcessor.Summary(read: 3, created: 1, rejected: 2)
        #expect(
            String(decoding: summary.line, as: UTF8.self) == #"{"summary":{"read":3,"created":1,"rejected":2}}"# + "\n")
    }

    @Test("Chunk boundaries anywhere give the same output as one chunk")
    func chunkBoundariesDoNotMatter() {
        let input = Array([validLine, "", "{\"bad\":1}", validLine, validLine].joined(separator: "\r\n").utf8)
        let whole = LineProcessor.process(input, processor: processor())
        for chunkSize in [1, 2, 7, 64, 333, 1_000] {
            var lineProcessor = processor()
            var entities: [UInt8] = []
            var rejections: [UInt8] = []
            var start = 0
            while start < input.count {
                let end = min(start + chunkSize, input.count)
                input[start..<end].withUnsafeBytes {
                    lineProcessor.consume($0, entities: &entities, rejections: &rejections)
                }
                start = end
            }
            lineProcessor.finish(entities: &entities, rejections: &rejections)
            #expect(entities == whole.entities, "chunk size \(chunkSize)")
            #expect(rejections == whole.rejections, "chunk size \(chunkSize)")
            #expect(lineProcessor.summary == whole.summary)
        }
        #expect(whole.summary == LineProcessor.Summary(read: 5, created: 3, rejected: 2))
    }

    @Test("A last line without newline is processed; a final newline adds no line")
    func lastLineHandling() {
        #expect(LineProcessor.process(Array(validLine.utf8), processor: processor()).summary.read == 1)
        #expect(LineProcessor.process(Array((validLine + "\n").utf8), processor: processor()).summary.read == 1)
        #expect(
            LineProcessor.process(Array((validLine + "\n\n").utf8), processor: processor()).summary
                == LineProcessor.Summary(read: 2, created: 1, rejected: 1))
        #expect(LineProcessor.process([], processor: processor()).summary == LineProcessor.Summary())
    }

    @Test("A line over the size limit is rejected with 413 without being buffered whole")
    func oversizedLineIsRejected() throws {
        let big = String(repeating: " ", count: 5_000) + validLine
        let input = Array((big + "\n" + validLine + "\n").utf8)
        var lineProcessor = processor(maximumBodySize: 4_096)
        var entities: [UInt8] = []
        var rejections: [UInt8] = []
        for start in stride(from: 0, to: input.count, by: 100) {
            input[start..<min(start + 100, input.count)].withUnsafeBytes {
                lineProcessor.consume($0, entities: &entities, rejections: &rejections)
            }
        }
        lineProcessor.finish(entities: &entities, rejections: &rejections)
        #expect(lineProcessor.summary == LineProcessor.Summary(read: 2, created: 1, rejected: 1))
        let rejection = try #require(TestSupport.jsonObject(rejections))
        #expect(rejection["line"] as? Int == 1)
        #expect(rejection["status"] as? Int == 413)
        #expect((rejection["error"] as? [String: Any])?["code"] as? String == "RequestEntityTooLarge")
    }

    @Test("Nothing rejected means exit status 0; any rejection means 1")
    func exitSemanticsFollowRejections() {
        #expect(LineProcessor.process(Array(validLine.utf8), processor: processor()).summary.rejected == 0)
        #expect(LineProcessor.process(Array((validLine + "\nx").utf8), processor: processor()).summary.rejected == 1)
    }
}
