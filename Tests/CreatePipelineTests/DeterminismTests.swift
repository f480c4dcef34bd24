import CreatePipeline
import Testing

@Suite("Ids and entities are deterministic")
struct DeterminismTests {
    private func entity(_ basis: IdempotencyBasis, body: [UInt8] = Fixtures.exampleRequestBytes) -> CreatedEntity? {
        TestSupport.entity(body, context: TestSupport.context(basis))
    }

    private func tenantBody(_ tenant: String) -> [UInt8] {
        InvalidBodyCase.replacing(#""Azure Tenant Id value""#, with: "\"\(tenant)\"")
    }

    @Test("The same body and context give a byte-identical entity")
    func sameInputGivesIdenticalEntity() throws {
        let basis = IdempotencyBasis.record(topic: "userSecurityProfiles.create", partition: 3, offset: 417)
        let first = try #require(entity(basis))
        let second = try #require(entity(basis))
        #expect(first.body == second.body)
        #expect(first.id == second.id)
    }

    @Test("Different bases give different ids")
    func differentBasesGiveDifferentIDs() throws {
        let bases: [IdempotencyBasis] = [
            .record(topic: "t", partition: 0, offset: 1), .record(topic: "t", partition: 0, offset: 2),
            .record(topic: "t", partition: 1, offset: 1), .record(topic: "u", partition: 0, offset: 1),
            .record(topic: "t", partition: 0, offset: -1), .idempotencyKey("k1"), .idempotencyKey("k2"),
            .named("stdin:1"), .named("stdin:2"), .named("t"), .idempotencyKey("t"),
        ]
        var ids: Set<String> = []
        for basis in bases {
            ids.insert(try #require(entity(basis)).id)
        }
        #expect(ids.count == bases.count)
    }

    @Test("The id depends on the basis only, not on the body (without idempotency key)")
    func idDependsOnTheBasisOnly() throws {
        let basis = IdempotencyBasis.record(topic: "t", partition: 0, offset: 9)
        let first = try #require(entity(basis))
        let second = try #require(entity(basis, body: tenantBody("another tenant")))
        #expect(first.id == second.id)
    }

    @Test("The same idempotency key in another tenant gives another id")
    func idempotencyKeyIsScopedToTheTenant() throws {
        let key = IdempotencyBasis.idempotencyKey("order-17")
        let tenantA = try #require(entity(key, body: tenantBody("tenant-a")))
        let tenantAAgain = try #require(entity(key, body: tenantBody("tenant-a")))
        let tenantB = try #require(entity(key, body: tenantBody("tenant-b")))
        #expect(tenantA.id == tenantAAgain.id)
        #expect(tenantA.id != tenantB.id)
    }

    @Test("The tenant is compared by its decoded value, not its escaped spelling")
    func tenantIsComparedDecoded() throws {
        let key = IdempotencyBasis.idempotencyKey("order-17")
        let plain = try #require(entity(key, body: tenantBody("tenant-a")))
        let escaped = try #require(entity(key, body: tenantBody(#"tenant\u002da"#)))
        #expect(plain.id == escaped.id)
    }

    @Test("Field boundaries cannot be shifted to forge another basis's id")
    func fieldBoundariesAreUnambiguous() throws {
        let key = IdempotencyBasis.idempotencyKey("b")
        let first = try #require(entity(key, body: tenantBody("a:1:")))
        let second = try #require(entity(.idempotencyKey(":1:b"), body: tenantBody("a")))
        #expect(first.id != second.id)
    }

    @Test("The id of a known basis is stable across releases")
    func idOfKnownBasisIsStable() throws {
        // Pinned: changing the namespace or name encoding would re-key every entity downstream.
        let record = try #require(entity(.record(topic: "userSecurityProfiles.create", partition: 0, offset: 0)))
        let named = try #require(entity(.named("stdin:1")))
        #expect(record.id == Self.pinnedRecordID)
        #expect(named.id == Self.pinnedNamedID)
    }

    /// uuid5(994971a2-a0e8-42eb-9c6b-26ed741a9c1e, "record:27:userSecurityProfiles.create:1:0:1:0"), computed independently.
    static let pinnedRecordID = "dca701f3-3e73-55cf-b004-5f7670e5697d"
    /// uuid5(994971a2-a0e8-42eb-9c6b-26ed741a9c1e, "named:7:stdin:1"), computed independently.
    static let pinnedNamedID = "ad622b6a-1d9d-5f77-afd2-fb8a1323bfd6"
}
