import Foundation
import HTTPTypes
import SampleTokens
import Testing

/// The endpoint with the verifier that checks events (`AccessControl` behind
/// `AccessControlAuthorizer`, as `usp-worker run --auth jwt` wires it): signed tokens,
/// the permission, the tenant binding, and the same 401/403 errors as dead letters carry.
@Suite("The event verifier over HTTP", .serialized)
struct EventVerifierOverHTTPTests {
    private static let permission = VerifierSetup.permission

    private static func send(
        token: String?, tenant: String, with setup: VerifierSetup, bed: HTTPCreateTestBed
    ) async throws -> HTTPResult {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        let exchange = HTTPExchange(headers: headers, body: try Examples.request(tenant: tenant))
        return try await bed.withServer(authorizer: setup.authorizer) { port in try await exchange.send(to: port) }
    }

    @Test func aTokenWithThePermissionForTheBodysTenantCreatesOverRSAAndEC() async throws {
        let setup = try await VerifierSetup.start()
        defer { setup.folder.remove() }
        let bed = try HTTPCreateTestBed()
        let role = try await setup.tokens.token(TestClaims(roles: [Self.permission]), signedWith: .rsa)
        let scope = try await setup.tokens.token(
            TestClaims(scp: "openid \(Self.permission)", roles: nil), signedWith: .ec)
        for token in [role, scope] {
            let response = try await Self.send(token: token, tenant: TestTokens.tenantA, with: setup, bed: bed)
            #expect(response.status == 201, "\(response.text)")
        }
        #expect(try bed.recordCount() == 2)
    }

    @Test func missingExpiredOrForeignTokensGet401AndNothingIsPublished() async throws {
        let setup = try await VerifierSetup.start()
        defer { setup.folder.remove() }
        let bed = try HTTPCreateTestBed()
        let expired = try await setup.tokens.token(TestClaims(exp: Date().timeIntervalSince1970 - 3_600))
        let stranger = try await TestTokens(keys: TestKeys()).token(signedWith: .rsa)
        for token in [nil, expired, stranger, try TestTokens.unsigned()] {
            let response = try await Self.send(token: token, tenant: TestTokens.tenantA, with: setup, bed: bed)
            ErrorStatusTests.expectGraphError(response, status: 401, code: "InvalidAuthenticationToken")
        }
        #expect(try bed.recordCount() == 0)
    }

    @Test func aTokenForTenantACannotCreateInTenantBOrWithoutThePermission() async throws {
        let setup = try await VerifierSetup.start()
        defer { setup.folder.remove() }
        let bed = try HTTPCreateTestBed()
        let tenantA = try await setup.tokens.token(TestClaims(tid: TestTokens.tenantA))
        let readOnly = try await setup.tokens.token(TestClaims(scp: "SecurityEvents.Read.All", roles: nil))
        let otherTenant = try await Self.send(token: tenantA, tenant: TestTokens.tenantB, with: setup, bed: bed)
        ErrorStatusTests.expectGraphError(otherTenant, status: 403, code: "Forbidden")
        let noPermission = try await Self.send(token: readOnly, tenant: TestTokens.tenantA, with: setup, bed: bed)
        ErrorStatusTests.expectGraphError(noPermission, status: 403, code: "Forbidden")
        #expect(try bed.recordCount() == 0)
    }
}
