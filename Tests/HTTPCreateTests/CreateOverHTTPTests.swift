import CreatePipeline
import Foundation
import HTTPTypes
import Kafka
import OutboundRecords
import Testing

@Suite("POST /security/userSecurityProfiles over HTTP", .serialized)
struct CreateOverHTTPTests {
    static func isGUID(_ text: String?) -> Bool {
        text?.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil
    }

    static func isGraphTimestamp(_ text: String?) -> Bool {
        text?.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z/) != nil
    }

    @Test(
        "The page's example request gets 201 with the page's example response, and the same entity lands on the outbound topic",
        arguments: [
            "/security/userSecurityProfiles", "/beta/security/userSecurityProfiles",
            "/v1.0/security/userSecurityProfiles", "/Security/userSecurityProfiles",
        ])
    func pageExampleCreatesAndPublishes(path: String) async throws {
        let bed = try HTTPCreateTestBed()
        let before = GraphTimestamp.now().formatted
        let exchange = HTTPExchange(
            path: path,
            headers: [
                .contentType: "application/json", HTTPField.Name("client-request-id")!: "client-1",
                HTTPField.Name("traceparent")!: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ],
            body: try Examples.request)
        let response = try await bed.withServer { port in try await exchange.send(to: port) }
        let after = GraphTimestamp.now().formatted

        #expect(response.status == 201, "\(response.text)")
        let json = try #require(response.json)
        let id = try #require(json["id"] as? String)
        let created = try #require(json["createdDateTime"] as? String)
        #expect(Self.isGUID(id))
        #expect(Self.isGraphTimestamp(created))
        #expect(json["lastModifiedDateTime"] as? String == created)
        #expect(before <= created && created <= after, "the service sets the request's time")
        let expected = try Examples.compactResponse(id: id, createdDateTime: created, lastModifiedDateTime: created)
        #expect(response.text == expected)

        #expect(response.header("Location") == "/security/userSecurityProfiles/\(id)")
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.header("client-request-id") == "client-1")
        let requestID = try #require(response.header("request-id"))
        #expect(Self.isGUID(requestID))

        let records = try bed.records()
        #expect(records.count == 1)
        let record = try #require(records.first)
        #expect(record.key == Array(id.utf8))
        #expect(record.value == response.body)
        let headerText = record.headers.map { "\($0.name)=\(String(decoding: $0.value ?? [], as: UTF8.self))" }
        #expect(
            headerText == [
                "content-type=application/json", "location=/security/userSecurityProfiles/\(id)",
                "request-id=\(requestID)",
                "client-request-id=client-1", "traceparent=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ])
    }

    @Test("Without an Idempotency-Key every request creates a new entity")
    func eachRequestWithoutKeyCreatesANewEntity() async throws {
        let bed = try HTTPCreateTestBed()
        let body = try Examples.request
        let ids = try await bed.withServer { port in
            var ids: [String] = []
            for _ in 0..<3 {
                let response = try await HTTPExchange(body: body).send(to: port)
                #expect(response.status == 201)
                ids.append(response.json?["id"] as? String ?? "")
            }
            return ids
        }
        #expect(Set(ids).count == 3)
        #expect(Set(try bed.records().compactMap { $0.key.map { String(decoding: $0, as: UTF8.self) } }) == Set(ids))
    }

    @Test("A body of exactly the size limit is accepted")
    func bodyAtTheLimitIsAccepted() async throws {
        let bed = try HTTPCreateTestBed()
        let example = try Examples.request
        let limit = example.count + 100
        let padded = example + [UInt8](repeating: UInt8(ascii: " "), count: 100)
        let response = try await bed.withServer(configuration: .init(maximumBodySize: limit)) { port in
            try await HTTPExchange(body: padded).send(to: port)
        }
        #expect(response.status == 201, "\(response.text)")
    }

    @Test(
        "A charset of utf-8 and other media type parameters are accepted",
        arguments: [
            "application/json; charset=utf-8", "Application/JSON;charset=\"UTF-8\"",
            "application/json;odata.metadata=minimal;charset=utf-8",
        ])
    func jsonWithParametersIsAccepted(contentType: String) async throws {
        let bed = try HTTPCreateTestBed()
        let body = try Examples.request
        let response = try await bed.withServer { port in
            try await HTTPExchange(headers: [.contentType: contentType], body: body).send(to: port)
        }
        #expect(response.status == 201, "\(response.text)")
    }
}
