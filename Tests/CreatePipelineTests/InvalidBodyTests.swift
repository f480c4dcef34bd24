import CreatePipeline
import Foundation
import Testing

@Suite("Invalid bodies are rejected")
struct InvalidBodyTests {
    @Test("Each invalid body gets its status, code, first detail and target", arguments: InvalidBodyCase.all)
    func invalidBodyIsRejected(_ invalid: InvalidBodyCase) throws {
        let error = try #require(TestSupport.error(invalid.body))
        #expect(error.status == invalid.status)
        #expect(error.code == invalid.code)
        #expect(error.target == invalid.target, "\(error.details)")
        #expect(error.details.first?.code == invalid.detail?.rawValue, "\(error.details)")
        #expect(error.details.first?.target == invalid.target)
    }

    @Test("There are at least 40 distinct invalid bodies")
    func invalidBodiesAreManyAndDistinct() {
        #expect(InvalidBodyCase.all.count >= 40)
        #expect(Set(InvalidBodyCase.all.map(\.body)).count == InvalidBodyCase.all.count)
        #expect(Set(InvalidBodyCase.all.map(\.name)).count == InvalidBodyCase.all.count)
    }

    @Test("A body of exactly the limit is accepted and one byte more is 413")
    func bodyAtTheLimitIsAccepted() throws {
        let body = Fixtures.exampleRequestBytes
        guard case .created = CreatePipeline(maximumBodySize: body.count).create(body, context: TestSupport.context())
        else {
            Issue.record("a body of exactly the limit was rejected")
            return
        }
        let error = try #require(TestSupport.error(body, pipeline: CreatePipeline(maximumBodySize: body.count - 1)))
        #expect(error.status == 413)
        #expect(error.code == "RequestEntityTooLarge")
    }

    @Test("A default-sized body of exactly 1 MiB is parsed, not refused as too large")
    func bodyOfExactlyOneMebibyteIsParsed() throws {
        var body = Array(TestSupport.compactExampleRequest.utf8)
        body += Array(repeating: 0x20, count: CreatePipeline.defaultMaximumBodySize - body.count)
        #expect(body.count == CreatePipeline.defaultMaximumBodySize)
        guard case .created = CreatePipeline().create(body, context: TestSupport.context()) else {
            Issue.record("a body of exactly 1 MiB was rejected")
            return
        }
    }

    @Test("Every problem is listed in document order and the target is the first")
    func everyProblemIsListedInDocumentOrder() throws {
        let body = InvalidBodyCase.replacing(
            #""2016-12-31T23:58:05.5931807+03:00""#, with: #""yesterday","color":1"#)
        let withID = Array(
            String(decoding: body, as: UTF8.self).replacingOccurrences(
                of: #""azureSubscriptionId":"Azure Subscription Id value","#, with: #""id":null,"#
            ).utf8)
        let error = try #require(TestSupport.error(withID))
        #expect(
            error.details.map(\.code) == ["InvalidValue", "UnknownProperty", "ReadOnlyProperty", "MissingProperty"])
        #expect(
            error.details.map(\.target) == [
                "accounts[0].lastSeenDateTime", "accounts[0].color", "id", "azureSubscriptionId",
            ])
        #expect(error.target == "accounts[0].lastSeenDateTime")
    }

    @Test("Details are bounded to the first 100 problems and the message gives the total")
    func detailsAreBounded() throws {
        let members = (0..<500).map { "\"unknown\($0)\":\($0)" }.joined(separator: ",")
        let error = try #require(TestSupport.error(InvalidBodyCase.withRootMember(members)))
        #expect(error.details.count == CreatePipeline.maximumDetailCount)
        #expect(error.details.count == 100)
        #expect(error.message.contains("500 problems"))
        #expect(error.target == "unknown0")
    }

    @Test("A body that is not JSON reports only the syntax error, without target")
    func notJSONHasNoTarget() throws {
        let body = Array((#"{"id":1,"color":2,"tags":[1,"# + "\n").utf8)
        let error = try #require(TestSupport.error(body))
        #expect(error.target == nil)
        #expect(error.details.map(\.code) == ["InvalidJson"])
        #expect(error.details.first?.target == nil)
    }
}
