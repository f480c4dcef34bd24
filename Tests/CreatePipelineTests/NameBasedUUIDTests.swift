import Testing

@testable import CreatePipeline

@Suite("Name-based UUIDs")
struct NameBasedUUIDTests {
    @Test("Version 5 UUIDs match RFC 9562's example")
    func version5MatchesRFCExample() {
        // RFC 9562 appendix A.4: the DNS namespace and "www.example.com".
        let dnsNamespace = UUIDBytes(high: 0x6ba7_b810_9dad_11d1, low: 0x80b4_00c0_4fd4_30c8)
        let uuid = GUID.nameBased(namespace: dnsNamespace, name: Array("www.example.com".utf8))
        #expect(uuid.formatted == "2ed6657d-e927-568b-95e1-2665a8aea6a2")
    }

    /// Values of Python's `uuid.uuid5(UUID("994971a2-a0e8-42eb-9c6b-26ed741a9c1e"), name)`.
    @Test("Name-based GUIDs of plain names match uuid5 in the project namespace")
    func plainNamesMatchUUID5() {
        #expect(GUID.nameBased("") == "3facf83c-3609-5ff0-901d-972e3a75a5c9")
        #expect(
            GUID.nameBased("request-id\0userSecurityProfiles.create\03\0417") == "69f9e299-f215-5670-937d-2e3a0e4b9406")
        #expect(GUID.nameBased(String(repeating: "Zoë 北京 ", count: 40)) == "095551fc-6d70-5a82-8c9c-a9fdd65ff553")
    }

    @Test("A name-based GUID of record coordinates equals the GUID of the same name as one string")
    func coordinatesNameEqualsTheJoinedString() {
        #expect(
            GUID.nameBased("request-id", topic: "userSecurityProfiles.create", partition: 3, offset: 417)
                == "69f9e299-f215-5670-937d-2e3a0e4b9406")
        let cases: [(String, Int32, Int64)] = [
            ("", 0, 0), ("t", .max, .max), ("Zoë 北京", .min, .min), (String(repeating: "x", count: 249), 7, -1),
        ]
        for (topic, partition, offset) in cases {
            #expect(
                GUID.nameBased("request-id", topic: topic, partition: partition, offset: offset)
                    == GUID.nameBased("request-id\0\(topic)\0\(partition)\0\(offset)"))
        }
    }

    /// Each basis's id is uuid5 of its length-prefixed name (see `IdempotencyBasis.entityID`),
    /// here with empty, long and extreme fields (values of Python's `uuid.uuid5`).
    @Test("Entity ids of every basis kind match uuid5 of their names, whatever the field lengths")
    func basisIDsMatchUUID5() {
        func id(_ basis: IdempotencyBasis, tenant: String = "") -> String {
            Array(tenant.utf8).withUnsafeBytes { basis.entityID(tenant: $0) }.formatted
        }
        // "idempotency-key:8:tenant-1:5:key-1"
        #expect(id(.idempotencyKey("key-1"), tenant: "tenant-1") == "7757137e-7a66-5b19-bef9-343d89a01bed")
        // "idempotency-key:0::300:kkk…"
        #expect(id(.idempotencyKey(String(repeating: "k", count: 300))) == "5e2bda9c-0ba6-5ac3-aa09-f1c15923e6e9")
        // "record:0::11:-2147483648:19:9223372036854775807"
        #expect(id(.record(topic: "", partition: .min, offset: .max)) == "49ae51da-0150-5f8a-b0c6-8b91a78c31cf")
        // "named:300:nnn…"
        #expect(id(.named(String(repeating: "n", count: 300))) == "2c27d63e-ab73-52ea-bfad-5804ac66ab1d")
    }
}
