import Crypto
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
}
