import CreatePipeline
import Foundation
import Testing

@Suite("Hostile input is answered quickly and safely")
struct HostileInputTests {
    /// Generous for debug builds on a shared machine; release builds take a few milliseconds.
    static let timeBound: Duration = .seconds(2)
    static let mebibyte = 1_048_576

    /// Runs the pipeline on `body` and checks it answers within the time bound.
    @discardableResult
    private func runTimed(_ body: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> CreateResult {
        let clock = ContinuousClock()
        var result: CreateResult?
        let elapsed = clock.measure {
            result = CreatePipeline().create(body, context: TestSupport.context())
        }
        #expect(elapsed < Self.timeBound, "took \(elapsed)", sourceLocation: sourceLocation)
        return result!
    }

    private func rejection(_ body: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> GraphError? {
        guard case .rejected(let error) = runTimed(body, sourceLocation: sourceLocation) else {
            Issue.record("accepted", sourceLocation: sourceLocation)
            return nil
        }
        return error
    }

    @Test("1 MiB of '[' is rejected as nesting too deep")
    func deepArraysAreRejected() throws {
        let error = try #require(rejection(Array(repeating: UInt8(ascii: "["), count: Self.mebibyte)))
        #expect(error.status == 400)
        #expect(error.details.first?.code == "NestingTooDeep")
    }

    @Test("1 MiB of '{\"a\":' is rejected as nesting too deep")
    func deepObjectsAreRejected() throws {
        let unit = Array(#"{"a":"#.utf8)
        let body = Array([[UInt8]](repeating: unit, count: Self.mebibyte / unit.count).joined())
        let error = try #require(rejection(body))
        #expect(error.details.first?.code == "NestingTooDeep")
    }

    @Test("Nesting just within the limit inside an annotation is accepted")
    func nestingWithinLimitIsAccepted() {
        let depth = CreatePipeline.maximumNestingDepth
        let value = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        guard case .created = runTimed(InvalidBodyCase.withRootMember("\"@deep.value\":\(value)")) else {
            Issue.record("rejected")
            return
        }
        let tooDeep = "[" + value + "]"
        #expect(
            rejection(InvalidBodyCase.withRootMember("\"@deep.value\":\(tooDeep)"))?.details.first?.code
                == "NestingTooDeep")
    }

    @Test("A string value of almost 1 MiB is accepted and echoed")
    func hugeStringIsEchoed() throws {
        let filler = String(repeating: "abcdefgh\\n\\u00e9é", count: (Self.mebibyte - 1_000) / 18)
        let body = InvalidBodyCase.replacing(#""User Principal Name value""#, with: "\"\(filler)\"")
        #expect(body.count <= Self.mebibyte)
        guard case .created(let entity) = runTimed(body) else {
            Issue.record("rejected")
            return
        }
        #expect(entity.body.count > filler.utf8.count)
        #expect(TestSupport.jsonObject(entity.body)?["userPrincipalName"] as? String != nil)
    }

    @Test("A 100,000-item tags array is accepted")
    func hugeTagsArrayIsAccepted() throws {
        let tags = "[" + Array(repeating: "\"t\"", count: 100_000).joined(separator: ",") + "]"
        guard case .created(let entity) = runTimed(InvalidBodyCase.replacing(#"["Tags value"]"#, with: tags)) else {
            Issue.record("rejected")
            return
        }
        #expect((TestSupport.jsonObject(entity.body)?["tags"] as? [String])?.count == 100_000)
    }

    @Test("A 100,000-item accounts array is accepted")
    func hugeAccountsArrayIsAccepted() throws {
        let accounts = "[" + Array(repeating: "{}", count: 100_000).joined(separator: ",") + "]"
        let body = Array(
            TestSupport.compactExampleRequest.replacing(/"accounts":\[.*?\}\]/, with: "\"accounts\":\(accounts)").utf8)
        guard case .created(let entity) = runTimed(body) else {
            Issue.record("rejected")
            return
        }
        #expect((TestSupport.jsonObject(entity.body)?["accounts"] as? [Any])?.count == 100_000)
    }

    @Test("100,000 null tags are each reported, with details bounded")
    func manyProblemsAreBounded() throws {
        let tags = "[" + Array(repeating: "null", count: 100_000).joined(separator: ",") + "]"
        let error = try #require(rejection(InvalidBodyCase.replacing(#"["Tags value"]"#, with: tags)))
        #expect(error.details.count == CreatePipeline.maximumDetailCount)
        #expect(error.message.contains("100000 problems"))
        #expect(error.target == "tags[0]")
    }

    @Test("1 MiB of distinct unknown properties or annotations is rejected in linear time")
    func manyDistinctNamesAreHandledLinearly() throws {
        for prefix in ["unknown", "@annotation."] {
            var members: [String] = []
            var size = 0
            while size < Self.mebibyte - 100 {
                let member = "\"\(prefix)\(members.count)\":0"
                size += member.utf8.count + 1
                members.append(member)
            }
            let body = Array(("{" + members.joined(separator: ",") + "}").utf8)
            let error = try #require(rejection(body))
            #expect(error.status == 400)
        }
    }

    @Test("1 MiB of one annotation repeated is rejected with bounded details")
    func repeatedAnnotationIsBounded() throws {
        let members = Array(repeating: #""@a":0"#, count: Self.mebibyte / 7 - 1).joined(separator: ",")
        let error = try #require(rejection(Array(("{" + members + "}").utf8)))
        #expect(error.details.count == CreatePipeline.maximumDetailCount)
        #expect(error.details.first?.code == "DuplicateProperty")
    }

    @Test(
        "Every escape form is handled",
        arguments: [
            (#"\u0000"#, true), (#"\"\\\/\b\f\n\r\t"#, true), (#"\ud83d\ude00"#, true), (#"\uD83D\uDE00"#, true),
            (#"\uffff"#, true), (#"\ud800"#, false), (#"\udfff"#, false), (#"\ud800\u0041"#, false),
            (#"\ud800\ud800"#, false), (#"\u"#, false), (#"\uZZZZ"#, false), (#"\a"#, false), (#"\'"#, false),
            (#"\U0041"#, false), (#"\"#, false),
        ])
    func everyEscapeFormIsHandled(_ escape: String, _ valid: Bool) {
        let body = InvalidBodyCase.replacing(#""Risk Score value","tags""#, with: "\"\(escape)\",\"tags\"")
        switch runTimed(body) {
        case .created(let entity):
            #expect(valid)
            #expect(TestSupport.jsonObject(entity.body) != nil)
        case .rejected(let error):
            #expect(!valid)
            #expect(error.status == 400)
        }
    }

    @Test(
        "NaN, Infinity and odd numbers are never accepted as values",
        arguments: [
            "NaN", "Infinity", "-Infinity", "+1", "1e999999999", "-0", "0.0e-0",
            "1" + String(repeating: "0", count: 100_000),
            "0x10", ".5", "1.", "01", "-", "1e", "truex", "nul",
        ])
    func numbersAndNonJSONTokensAreRejected(_ token: String) throws {
        let error = try #require(
            rejection(InvalidBodyCase.replacing(#""Risk Score value","tags""#, with: "\(token),\"tags\"")))
        #expect(error.status == 400)
        #expect(["InvalidType", "InvalidJson"].contains(error.details.first?.code))
    }

    @Test(
        "Byte order mark variants",
        arguments: [
            ([0xEF, 0xBB, 0xBF], true), ([0xEF, 0xBB], false), ([0xFE, 0xFF], false), ([0xFF, 0xFE], false),
            ([0x20, 0xEF, 0xBB, 0xBF], false), ([0xEF, 0xBB, 0xBF, 0x20], true),
        ] as [([UInt8], Bool)])
    func byteOrderMarkVariants(_ prefix: [UInt8], _ accepted: Bool) {
        switch runTimed(prefix + Fixtures.exampleRequestBytes) {
        case .created: #expect(accepted)
        case .rejected(let error):
            #expect(!accepted)
            #expect(error.details.first?.code == "InvalidJson")
        }
    }

    @Test("1 MiB of invalid UTF-8 and of control characters inside a string is rejected")
    func hugeInvalidStringsAreRejected() throws {
        for filler in [UInt8(0xFF), 0x01, 0xC3] {
            let prefix = Array(#"{"displayName":""#.utf8)
            let body = prefix + Array(repeating: filler, count: Self.mebibyte - prefix.count - 2) + Array(#""}"#.utf8)
            let error = try #require(rejection(body))
            #expect(["InvalidUtf8", "InvalidString"].contains(error.details.first?.code))
        }
    }

    @Test("1 MiB of unterminated escapes and of commas is rejected")
    func hugeMalformedBodiesAreRejected() throws {
        let bodies: [[UInt8]] = [
            Array(#"{"displayName":""#.utf8) + Array(repeating: UInt8(ascii: "\\"), count: Self.mebibyte - 20),
            Array(#"{"tags":["#.utf8) + Array(repeating: UInt8(ascii: ","), count: Self.mebibyte - 20),
            Array(#"{"@a":"#.utf8) + Array([[UInt8]](repeating: Array("[1,".utf8), count: 60).joined())
                + Array(repeating: UInt8(ascii: "1"), count: Self.mebibyte - 300),
        ]
        for body in bodies {
            let error = try #require(rejection(body))
            #expect(error.details.first?.code == "InvalidJson")
            #expect(error.target == nil)
        }
    }
}
