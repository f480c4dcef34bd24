import AuthenticationTestSupport
import Foundation
import SampleTokens
import Testing

@testable import Authentication

@Suite struct AuthorizationTests {
    static let permission = "SecurityEvents.ReadWrite.All"

    static let granting: [(String?, [String]?)] = [
        ("User.Read \(permission) openid", nil),
        (nil, ["Other.Role", permission]),
    ]

    @Test(arguments: granting)
    func thePermissionMayComeAsADelegatedScopeOrAnApplicationRole(scp: String?, roles: [String]?) async throws {
        let fixture = try await Fixture.make()
        let caller = try fixture.verdict(try await fixture.bearer(TestClaims(scp: scp, roles: roles))).get()
        #expect(fixture.access.permissionDenial(caller) == nil)
    }

    static let notGranting: [(String?, [String]?)] = [
        ("User.Read SecurityEvents.Read.All", nil),
        (nil, ["SecurityEvents.Read.All"]),
        ("securityevents.readwrite.all", nil),
        ("SecurityEvents.ReadWrite.All.Extra", nil),
        (nil, nil),
    ]

    @Test(arguments: notGranting)
    func aTokenWithoutThePermissionIs403(scp: String?, roles: [String]?) async throws {
        let fixture = try await Fixture.make()
        let caller = try fixture.verdict(try await fixture.bearer(TestClaims(scp: scp, roles: roles))).get()
        #expect(fixture.access.permissionDenial(caller)?.graphError.code == "Forbidden")
        #expect(fixture.access.permissionDenial(caller)?.reason == .missingPermission)
    }

    @Test func aTokenForTenantACannotWriteForTenantB() async throws {
        let fixture = try await Fixture.make()
        let caller = try fixture.verdict(try await fixture.bearer(TestClaims(tid: TestTokens.tenantA))).get()
        #expect(fixture.access.targetDenial(caller, TestTokens.tenantA, "V") == nil)
        #expect(
            fixture.access.targetDenial(caller, TestTokens.tenantA.uppercased(), "V") == nil,
            "tenant ids are GUIDs, compared without regard to case")
        let crossTenant = fixture.access.targetDenial(caller, TestTokens.tenantB, "V")
        #expect(crossTenant?.reason == .tenantMismatch)
        #expect(crossTenant?.status == 403)
        #expect(crossTenant?.graphError.code == "Forbidden")
    }

    @Test func aTokenWithoutATenantMayWriteForNone() async throws {
        let fixture = try await Fixture.make()
        let caller = try fixture.verdict(try await fixture.bearer(TestClaims(tid: nil))).get()
        #expect(fixture.access.targetDenial(caller, "", nil)?.reason == .tenantMismatch)
        #expect(
            fixture.access.targetDenial(caller, TestTokens.tenantA, nil)?.reason
                == .tenantMismatch)
    }

    @Test func theAllowListNarrowsCallersToTheirTenantsAndVendors() async throws {
        let list = """
            {"callers": [
              {"id": "vendor-app-1", "tenants": ["\(TestTokens.tenantA)"], "vendors": ["Contoso"]},
              {"id": "object-2", "tenants": ["*"], "vendors": ["*"]}
            ]}
            """
        let fixture = try await Fixture.make { configuration, folder in
            configuration.tenantAllowListFile = try folder.write("allow.json", list)
        }
        // Listed by appid: its tenant and vendor only.
        let vendorApp = try fixture.verdict(try await fixture.bearer(TestClaims(oid: "o", appid: "vendor-app-1"))).get()
        #expect(fixture.access.targetDenial(vendorApp, TestTokens.tenantA, "Contoso")?.reason == nil)
        #expect(
            fixture.access.targetDenial(vendorApp, TestTokens.tenantA, "Fabrikam")?.reason
                == .vendorNotAllowed)
        #expect(
            fixture.access.targetDenial(vendorApp, TestTokens.tenantA, nil)?.reason == .vendorNotAllowed)
        // Listed by azp (v2 tokens).
        let v2 = try fixture.verdict(try await fixture.bearer(TestClaims(oid: "o", appid: nil, azp: "vendor-app-1")))
            .get()
        #expect(fixture.access.targetDenial(v2, TestTokens.tenantA, "Contoso")?.reason == nil)
        // Listed by oid with wildcards: any vendor, any tenant — but still only its own tenant.
        let wildcard = try fixture.verdict(
            try await fixture.bearer(TestClaims(oid: "object-2", appid: "x", tid: TestTokens.tenantB))
        ).get()
        #expect(fixture.access.targetDenial(wildcard, TestTokens.tenantB, nil)?.reason == nil)
        #expect(
            fixture.access.targetDenial(wildcard, TestTokens.tenantA, "Contoso")?.reason
                == .tenantMismatch)
        // Not listed.
        let stranger = try fixture.verdict(try await fixture.bearer(TestClaims(oid: "o", appid: "someone"))).get()
        #expect(
            fixture.access.targetDenial(stranger, TestTokens.tenantA, "Contoso")?.reason
                == .callerNotAllowed)
    }

    @Test func aTenantNotOnTheCallersEntryIs403() async throws {
        let list = #"{"callers": [{"id": "vendor-app-1", "tenants": ["another-tenant"], "vendors": ["*"]}]}"#
        let fixture = try await Fixture.make { configuration, folder in
            configuration.tenantAllowListFile = try folder.write("allow.json", list)
        }
        let caller = try fixture.verdict(try await fixture.bearer()).get()
        #expect(
            fixture.access.targetDenial(caller, TestTokens.tenantA, "V")?.reason == .tenantNotAllowed)
    }

    @Test func theAllowListIsReloadedWhenItChangesAndABrokenOneKeepsThePrevious() async throws {
        let fixture = try await Fixture.make { configuration, folder in
            configuration.keyRefresh.fileCheckInterval = .milliseconds(50)
            configuration.tenantAllowListFile = try folder.write(
                "allow.json", #"{"callers": [{"id": "someone-else", "tenants": ["*"], "vendors": ["*"]}]}"#)
        }
        let caller = try fixture.verdict(try await fixture.bearer()).get()
        let check = { fixture.access.targetDenial(caller, TestTokens.tenantA, "V")?.reason }
        #expect(check() == .callerNotAllowed)
        try fixture.folder.write(
            "allow.json", #"{"callers": [{"id": "vendor-app-1", "tenants": ["*"], "vendors": ["V"]}]}"#)
        try await Task.sleep(for: .milliseconds(100))
        #expect(check() == nil, "the new list is in force without a restart")
        try fixture.folder.write("allow.json", #"{"callers": [{"id": "vendor-app-1"}]}"#)
        try await Task.sleep(for: .milliseconds(100))
        #expect(check() == nil, "an unreadable list leaves the previous one in force")
    }

    @Test(arguments: [
        #"{"callers": [{"id": "a", "tenants": [], "vendors": ["*"]}]}"#,
        #"{"callers": [{"id": "", "tenants": ["*"], "vendors": ["*"]}]}"#,
        #"{"callers": [{"id": "a", "tenants": ["*"]}]}"#,
        #"{"callers": {"id": "a"}}"#,
        #"[]"#,
        "not json",
    ])
    func aMalformedAllowListIsRefusedAtStart(list: String) async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let keys = try TestKeys()
        let configuration = AuthenticationConfiguration(
            jwksFile: try folder.write("jwks.json", try keys.jwks()), issuers: ["i"], audiences: ["a"],
            tenantAllowListFile: try folder.write("allow.json", list))
        await #expect {
            _ = try await AccessControl.start(configuration, logger: quietLogger)
        } throws: { error in
            (error as? AuthenticationSetupError)?.codeName == "ALLOW_LIST_INVALID"
        }
    }
}

extension AccessControl {
    /// Why `caller` lacks the permission, or nil.
    func permissionDenial(_ caller: Caller) -> AccessDenied? {
        do throws(AccessDenied) {
            try authorize(caller)
            return nil
        } catch {
            return error
        }
    }

    /// Why `caller` may not write for the tenant and vendor, or nil.
    func targetDenial(_ caller: Caller, _ tenantID: String, _ vendor: String?) -> AccessDenied? {
        do throws(AccessDenied) {
            try authorize(caller, tenantID: tenantID, vendor: vendor)
            return nil
        } catch {
            return error
        }
    }
}
