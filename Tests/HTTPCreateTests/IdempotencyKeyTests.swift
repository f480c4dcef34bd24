import Foundation
import HTTPTypes
import Testing

@Suite("Idempotency-Key over HTTP", .serialized)
struct IdempotencyKeyTests {
    private static func exchange(key: String?, body: [UInt8]) -> HTTPExchange {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return HTTPExchange(headers: headers, body: body)
    }

    @Test("A retry with the same key and tenant gets the same id and a byte-identical body")
    func retryIsByteIdentical() async throws {
        let bed = try HTTPCreateTestBed()
        let body = try Examples.request
        let (first, retry) = try await bed.withServer { port in
            let first = try await Self.exchange(key: "order-1", body: body).send(to: port)
            try await Task.sleep(for: .milliseconds(20))  // a later arrival time, which must not show
            let retry = try await Self.exchange(key: "order-1", body: body).send(to: port)
            return (first, retry)
        }
        #expect(first.status == 201 && retry.status == 201)
        #expect(first.body == retry.body)
        #expect(first.header("Location") == retry.header("Location"))
        #expect(first.header("request-id") != retry.header("request-id"), "each request has its own request-id")
        // Both were published; a compacted topic keeps one.
        let records = try bed.records()
        #expect(records.count == 2)
        #expect(Set(records.map(\.key)).count == 1)
        #expect(records.allSatisfy { $0.value == first.body })
    }

    @Test("The same key in another tenant, or another key, gives another id")
    func keyIsScopedByTenant() async throws {
        let bed = try HTTPCreateTestBed()
        let tenantA = try Examples.request(tenant: "tenant-a")
        let tenantB = try Examples.request(tenant: "tenant-b")
        let ids = try await bed.withServer { port in
            var ids: [String] = []
            for (key, body) in [("k", tenantA), ("k", tenantB), ("other", tenantA), ("k", tenantA)] {
                let response = try await Self.exchange(key: key, body: body).send(to: port)
                #expect(response.status == 201)
                ids.append(response.json?["id"] as? String ?? "")
            }
            return ids
        }
        #expect(ids[0] != ids[1])
        #expect(ids[0] != ids[2])
        #expect(ids[0] == ids[3])
    }

    @Test("An empty key counts as none: each request creates a new entity")
    func emptyKeyCountsAsNone() async throws {
        let bed = try HTTPCreateTestBed()
        let body = try Examples.request
        let (first, second) = try await bed.withServer { port in
            (
                try await Self.exchange(key: "", body: body).send(to: port),
                try await Self.exchange(key: "", body: body).send(to: port)
            )
        }
        #expect(first.status == 201 && second.status == 201)
        #expect(first.json?["id"] as? String != second.json?["id"] as? String)
    }

    @Test("Past the window, a retry keeps its id but gets the time of its own arrival")
    func windowIsBounded() async throws {
        let bed = try HTTPCreateTestBed()
        let body = try Examples.request
        let (first, afterOthers) = try await bed.withServer(configuration: .init(idempotencyWindow: 2)) { port in
            let first = try await Self.exchange(key: "k0", body: body).send(to: port)
            for key in ["k1", "k2"] { _ = try await Self.exchange(key: key, body: body).send(to: port) }
            let again = try await Self.exchange(key: "k0", body: body).send(to: port)
            return (first, again)
        }
        #expect(first.json?["id"] as? String == afterOthers.json?["id"] as? String)
        #expect(first.json?["createdDateTime"] as? String != afterOthers.json?["createdDateTime"] as? String)
    }
}
