import CreatePipeline
import Foundation
import Testing

@Suite("Graph error bodies")
struct ErrorBodyTests {
    private func errorMember(_ bytes: [UInt8]) throws -> [String: Any] {
        let body = try #require(TestSupport.jsonObject(bytes))
        #expect(body.keys.sorted() == ["error"])
        return try #require(body["error"] as? [String: Any])
    }

    @Test("A 400 body has code, message, target, details and innerError with date and request-id")
    func badRequestBodyHasGraphShape() throws {
        let error = try #require(TestSupport.error(InvalidBodyCase.withRootMember(#""id":"x","color":1"#)))
        let context = TestSupport.context(clientRequestID: "client-7")
        let member = try errorMember(error.body(context: context))
        #expect(member["code"] as? String == "BadRequest")
        #expect((member["message"] as? String)?.isEmpty == false)
        #expect(member["target"] as? String == "id")
        let details = try #require(member["details"] as? [[String: Any]])
        #expect(details.map { $0["code"] as? String } == ["ReadOnlyProperty", "UnknownProperty"])
        #expect(details.map { $0["target"] as? String } == ["id", "color"])
        #expect(details.allSatisfy { ($0["message"] as? String)?.isEmpty == false })
        let inner = try #require(member["innerError"] as? [String: Any])
        #expect(inner["date"] as? String == TestSupport.responseTime.formatted)
        #expect(inner["request-id"] as? String == context.requestID)
        #expect(inner["client-request-id"] as? String == "client-7")
    }

    @Test("Without a client-request-id, innerError echoes the request-id, as Graph does")
    func missingClientRequestIDEchoesRequestID() throws {
        let error = try #require(TestSupport.error([]))
        let context = TestSupport.context()
        let inner = try #require(try errorMember(error.body(context: context))["innerError"] as? [String: Any])
        #expect(inner["client-request-id"] as? String == context.requestID)
    }

    @Test("A body that is not JSON has no target in its error body")
    func notJSONErrorBodyHasNoTarget() throws {
        let error = try #require(TestSupport.error(Array("{nope".utf8)))
        let member = try errorMember(error.body(context: TestSupport.context()))
        #expect(member["target"] == nil)
        #expect((member["details"] as? [[String: Any]])?.first?["code"] as? String == "InvalidJson")
    }

    @Test("The error object is the body's error member")
    func errorObjectIsTheBodysErrorMember() throws {
        let error = try #require(TestSupport.error(Array("[]".utf8)))
        let context = TestSupport.context()
        #expect(
            Array(#"{"error":"#.utf8) + error.errorObject(context: context) + [UInt8(ascii: "}")]
                == error.body(context: context))
    }

    @Test("Targets and messages with quotes and control characters are escaped")
    func targetsAreEscaped() throws {
        let error = try #require(TestSupport.error(InvalidBodyCase.withRootMember(#""a\"b\n\u0001":1"#)))
        #expect(error.target == "a\"b\n\u{1}")
        let member = try errorMember(error.body(context: TestSupport.context()))
        #expect(member["target"] as? String == "a\"b\n\u{1}")
    }

    @Test(
        "Status and code of each constructor",
        arguments: [
            (GraphError.unauthorized("no token"), 401, "InvalidAuthenticationToken"),
            (GraphError.forbidden("no"), 403, "Forbidden"),
            (GraphError.notFound("no"), 404, "NotFound"),
            (GraphError.methodNotAllowed("no"), 405, "MethodNotAllowed"),
            (GraphError.requestEntityTooLarge(size: 2, limit: 1), 413, "RequestEntityTooLarge"),
            (GraphError.unsupportedMediaType("no"), 415, "UnsupportedMediaType"),
            (GraphError.serviceUnavailable("later"), 503, "ServiceUnavailable"),
            (GraphError.badRequest("bad"), 400, "BadRequest"),
        ])
    func constructorsHaveStableStatusAndCode(_ error: GraphError, _ status: Int, _ code: String) throws {
        #expect(error.status == status)
        #expect(error.code == code)
        let member = try errorMember(error.body(context: TestSupport.context()))
        #expect(member["code"] as? String == code)
        #expect(member["details"] as? [Any] != nil)
    }
}
