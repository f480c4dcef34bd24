import HTTPTypes
import SampleTokens
import Testing

/// With `--auth jwt` the endpoint checks the bearer token before it reads the body: a caller
/// without a valid token gets 401 and never costs a parse. Checks that need the body (its
/// tenant) come after the pipeline.
@Suite("The bearer token is checked before the body", .serialized)
struct TokenBeforeBodyTests {
    private static func send(token: String?, body: [UInt8], to port: Int) async throws -> HTTPResult {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await HTTPExchange(headers: headers, body: body).send(to: port)
    }

    @Test func aPostWithNoTokenAndAOneMebibyteInvalidBodyGets401AndThePipelineIsNeverCalled() async throws {
        let setup = try await VerifierSetup.start()
        defer { setup.folder.remove() }
        let valid = try await setup.tokens.token(TestClaims(tid: TestTokens.tenantA, roles: [VerifierSetup.permission]))
        let stranger = try await TestTokens(keys: TestKeys()).token(signedWith: .rsa)
        // 1 MiB (the limit, so not a 413) of bytes that are not JSON.
        let invalid = [UInt8](repeating: UInt8(ascii: "x"), count: 1_048_576)
        let otherTenant = try Examples.request(tenant: TestTokens.tenantB)

        let bed = try HTTPCreateTestBed()
        let spy = PipelineSpy()
        let (missing, forged, authenticated, foreign) = try await bed.withServer(
            authorizer: setup.authorizer, pipelineSpy: spy
        ) { port in
            let missing = try await Self.send(token: nil, body: invalid, to: port)
            let forged = try await Self.send(token: stranger, body: invalid, to: port)
            let runsBeforeAValidToken = spy.runs
            let authenticated = try await Self.send(token: valid, body: invalid, to: port)
            let foreign = try await Self.send(token: valid, body: otherTenant, to: port)
            return ((missing, runsBeforeAValidToken), forged, authenticated, foreign)
        }
        ErrorStatusTests.expectGraphError(missing.0, status: 401, code: "InvalidAuthenticationToken")
        #expect(missing.0.header("Connection") == "close", "the unread body is not kept for another request")
        ErrorStatusTests.expectGraphError(forged, status: 401, code: "InvalidAuthenticationToken")
        #expect(missing.1 == 0, "no pipeline run for a request without a valid token")
        // The spy does count: a valid token's invalid body is parsed (400), and the tenant
        // check, which needs the body, follows the parse (403).
        ErrorStatusTests.expectGraphError(authenticated, status: 400, code: "BadRequest")
        ErrorStatusTests.expectGraphError(foreign, status: 403, code: "Forbidden")
        #expect(spy.runs == 2, "one run for each request with a valid token")
        #expect(try bed.recordCount() == 0)
    }
}
