import CreatePipeline
import HTTPCreate
import HTTPTypes
import Testing

/// An authorizer with the rules the event verifier applies, over a fixed token table:
/// an unknown or missing bearer token is 401; a profile for another tenant, or a vendor
/// the token may not write for, is 403.
private struct TokenTableAuthorizer: CreateAuthorizer {
    struct Grant {
        var tenant: String
        var vendors: Set<String>
    }

    let grants: [String: Grant]

    func authenticate(authorization: String?) async -> Result<Grant, GraphError> {
        guard let authorization, authorization.hasPrefix("Bearer "),
            let grant = grants[String(authorization.dropFirst("Bearer ".count))]
        else {
            return .failure(.unauthorized("Access token is missing or invalid."))
        }
        return .success(grant)
    }

    func authorize(_ grant: Grant, profile: ProfileOwnership) -> GraphError? {
        guard profile.azureTenantId == grant.tenant else {
            return .forbidden("The token's tenant may not create profiles in \(profile.azureTenantId).")
        }
        guard let vendor = profile.vendor, grant.vendors.contains(vendor) else {
            return .forbidden("The token may not write for this vendor.")
        }
        return nil
    }
}

@Suite("The authorization seam over HTTP", .serialized)
struct AuthorizationSeamTests {
    private static let authorizer = TokenTableAuthorizer(grants: [
        "token-a": .init(tenant: "tenant-a", vendors: ["Vendor value"])
    ])

    private static func send(authorization: String?, body: [UInt8], bed: HTTPCreateTestBed) async throws -> HTTPResult {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let authorization { headers[.authorization] = authorization }
        let exchange = HTTPExchange(headers: headers, body: body)
        return try await bed.withServer(authorizer: authorizer) { port in try await exchange.send(to: port) }
    }

    @Test(
        "No token, or an unknown one, gets 401, even with an invalid body",
        arguments: [
            (nil, true), ("Bearer nope", true), ("Basic token-a", true), (nil, false), ("Bearer nope", false),
        ])
    func missingOrBadTokenGets401(authorization: String?, validBody: Bool) async throws {
        let bed = try HTTPCreateTestBed()
        let body = validBody ? try Examples.request(tenant: "tenant-a") : Array("{".utf8)
        let response = try await Self.send(authorization: authorization, body: body, bed: bed)
        ErrorStatusTests.expectGraphError(response, status: 401, code: "InvalidAuthenticationToken")
        #expect(try bed.recordCount() == 0)
    }

    @Test("A valid token for another tenant gets 403")
    func otherTenantGets403() async throws {
        let bed = try HTTPCreateTestBed()
        let response = try await Self.send(
            authorization: "Bearer token-a", body: try Examples.request(tenant: "tenant-b"), bed: bed)
        ErrorStatusTests.expectGraphError(response, status: 403, code: "Forbidden")
        #expect(try bed.recordCount() == 0)
    }

    @Test("A valid token gets 403 for a vendor it may not write for; the tenant is compared decoded")
    func otherVendorGets403() async throws {
        let bed = try HTTPCreateTestBed()
        let text = String(decoding: try Examples.request(tenant: #"tenant\u002da"#), as: UTF8.self)
            .replacingOccurrences(of: "\"Vendor value\"", with: "\"Other vendor\"")
        let response = try await Self.send(authorization: "Bearer token-a", body: Array(text.utf8), bed: bed)
        ErrorStatusTests.expectGraphError(response, status: 403, code: "Forbidden")
        #expect((response.graphError?["message"] as? String)?.contains("vendor") == true)
    }

    @Test("A valid token for the body's tenant and vendor creates")
    func allowedCallerCreates() async throws {
        let bed = try HTTPCreateTestBed()
        let response = try await Self.send(
            authorization: "Bearer token-a", body: try Examples.request(tenant: "tenant-a"), bed: bed)
        #expect(response.status == 201, "\(response.text)")
        #expect(try bed.recordCount() == 1)
    }

    @Test("A valid token with an invalid body gets the pipeline's 400")
    func authenticatedCallerWithBadBodyGets400() async throws {
        let bed = try HTTPCreateTestBed()
        let response = try await Self.send(authorization: "Bearer token-a", body: Array("{}".utf8), bed: bed)
        ErrorStatusTests.expectGraphError(response, status: 400, code: "BadRequest")
    }
}
