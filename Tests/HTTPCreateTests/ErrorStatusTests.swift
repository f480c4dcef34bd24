import CreatePipeline
import Foundation
import HTTPTypes
import Testing

@Suite("Errors over HTTP, in Graph's shape", .serialized)
struct ErrorStatusTests {
    /// Checks the Graph error body and the headers every answer carries.
    static func expectGraphError(
        _ response: HTTPResult, status: Int, code: String, clientRequestID: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(response.status == status, "\(response.text)", sourceLocation: sourceLocation)
        #expect(response.header("Content-Type") == "application/json", sourceLocation: sourceLocation)
        let requestID = response.header("request-id")
        #expect(CreateOverHTTPTests.isGUID(requestID), sourceLocation: sourceLocation)
        #expect(response.header("client-request-id") == clientRequestID, sourceLocation: sourceLocation)
        guard let error = response.graphError else {
            Issue.record("not a Graph error: \(response.text)", sourceLocation: sourceLocation)
            return
        }
        #expect(error["code"] as? String == code, sourceLocation: sourceLocation)
        #expect((error["message"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(error["details"] is [Any], sourceLocation: sourceLocation)
        let inner = error["innerError"] as? [String: Any]
        #expect(inner?["request-id"] as? String == requestID, sourceLocation: sourceLocation)
        #expect(inner?["client-request-id"] as? String == clientRequestID ?? requestID, sourceLocation: sourceLocation)
        #expect(CreateOverHTTPTests.isGraphTimestamp(inner?["date"] as? String), sourceLocation: sourceLocation)
    }

    @Test("A body the pipeline rejects gets its 400 with every problem, and nothing is published")
    func invalidBodyGets400() async throws {
        let bed = try HTTPCreateTestBed()
        let body = Array(#"{"id":"x","azureTenantId":null}"#.utf8)
        let response = try await bed.withServer { port in
            try await HTTPExchange(
                headers: [.contentType: "application/json", HTTPField.Name("client-request-id")!: "c-400"], body: body
            )
            .send(to: port)
        }
        Self.expectGraphError(response, status: 400, code: "BadRequest", clientRequestID: "c-400")
        let error = try #require(response.graphError)
        #expect(error["target"] as? String == "id")
        let codes = (error["details"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        #expect(codes.first == "ReadOnlyProperty")
        #expect(codes.contains("NullNotAllowed"))
        #expect(codes.contains("MissingProperty"))
        #expect(try bed.recordCount() == 0)
    }

    @Test("Not JSON, and an empty body, get 400", arguments: ["{", "", "[]"])
    func notAnObjectGets400(body: String) async throws {
        let bed = try HTTPCreateTestBed()
        let response = try await bed.withServer { port in
            try await HTTPExchange(body: Array(body.utf8)).send(to: port)
        }
        Self.expectGraphError(response, status: 400, code: "BadRequest")
    }

    @Test(
        "Another path gets 404",
        arguments: [
            ("GET", "/"), ("POST", "/security/userSecurityProfile"), ("POST", "/v2.0/security/userSecurityProfiles"),
            ("GET", "/security/userSecurityProfiles/0b7a10e9-0b7a-e910-0b7a-10e90b7a10e9"),
        ])
    func otherPathGets404(method: String, path: String) async throws {
        let bed = try HTTPCreateTestBed()
        let response = try await bed.withServer { port in
            try await HTTPExchange(method: HTTPRequest.Method(method)!, path: path, body: []).send(to: port)
        }
        Self.expectGraphError(response, status: 404, code: "NotFound")
    }

    @Test(
        "Another method on the collection gets 405 with Allow: POST",
        arguments: [
            ("GET", "/security/userSecurityProfiles"), ("PUT", "/beta/security/userSecurityProfiles"),
            ("DELETE", "/v1.0/security/userSecurityProfiles"), ("PATCH", "/Security/UserSecurityProfiles/"),
            ("PROPFIND", "/security/userSecurityProfiles"),
        ])
    func otherMethodGets405(method: String, path: String) async throws {
        let bed = try HTTPCreateTestBed()
        let body = try Examples.request
        let response = try await bed.withServer { port in
            try await HTTPExchange(method: HTTPRequest.Method(method)!, path: path, body: body).send(to: port)
        }
        Self.expectGraphError(response, status: 405, code: "MethodNotAllowed")
        #expect(response.header("Allow") == "POST")
        #expect(try bed.recordCount() == 0)
    }

    @Test(
        "A Content-Type other than UTF-8 JSON, or none, gets 415",
        arguments: [
            "text/plain", "application/xml", "application/json; charset=iso-8859-1", "application/jsonx", nil,
        ])
    func otherMediaTypeGets415(contentType: String?) async throws {
        let bed = try HTTPCreateTestBed()
        let body = try Examples.request
        var exchange = HTTPExchange(headers: [:], body: body)
        if let contentType { exchange.headers[.contentType] = contentType }
        let response = try await bed.withServer { [exchange] port in
            try await exchange.send(to: port)
        }
        Self.expectGraphError(response, status: 415, code: "UnsupportedMediaType")
        #expect(try bed.recordCount() == 0)
    }

    @Test("A body one byte over the limit gets 413")
    func bodyOverTheLimitGets413() async throws {
        let bed = try HTTPCreateTestBed()
        let body = try Examples.request
        let response = try await bed.withServer(configuration: .init(maximumBodySize: body.count - 1)) { port in
            try await HTTPExchange(body: body).send(to: port)
        }
        Self.expectGraphError(response, status: 413, code: "RequestEntityTooLarge")
        #expect(try bed.recordCount() == 0)
    }

    @Test("A Content-Length over the limit gets 413 before the body is sent, and the connection ends")
    func declaredLengthOverTheLimitGets413WithoutTheBody() async throws {
        let bed = try HTTPCreateTestBed()
        let (bytes, ended) = try await bed.withServer(configuration: .init(maximumBodySize: 1_000)) { port in
            let connection = try RawHTTPConnection(port: port)
            // Declares 100 MB but sends only 10 bytes: the answer cannot wait for the rest.
            connection.send(
                Array(
                    ("POST /security/userSecurityProfiles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100000000\r\n\r\n{\"a\":\"b\"  ").utf8))
            return connection.receiveUntilEnd()
        }
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 413 "), "\(text)")
        #expect(text.contains("\"code\":\"RequestEntityTooLarge\""))
        #expect(text.lowercased().contains("connection: close"))
        #expect(ended, "the server ends the connection instead of reading the declared body")
    }

    @Test("A chunked body is read up to the limit only: 413 and the connection ends")
    func chunkedBodyOverTheLimitGets413() async throws {
        let bed = try HTTPCreateTestBed()
        let (bytes, ended) = try await bed.withServer(configuration: .init(maximumBodySize: 1_000)) { port in
            let connection = try RawHTTPConnection(port: port)
            connection.send(
                Array(
                    ("POST /security/userSecurityProfiles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n").utf8))
            // 2,000 bytes in chunks of 500, and no final chunk: only the limit can end the request.
            for _ in 0..<4 {
                connection.send(
                    Array("1f4\r\n".utf8) + [UInt8](repeating: UInt8(ascii: " "), count: 500) + Array("\r\n".utf8))
            }
            return connection.receiveUntilEnd()
        }
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 413 "), "\(text)")
        #expect(text.contains("\"code\":\"RequestEntityTooLarge\""))
        #expect(ended)
    }
}

@Suite("An entity the brokers refuse for its size", .serialized)
struct EntityTooLargeForTheTopicTests {
    @Test("An entity over the producer's message.max.bytes gets 413, not 503, and nothing is published")
    func entityOverTheTopicLimitGets413() async throws {
        let bed = try HTTPCreateTestBed()
        let longName = String(repeating: "n", count: 2_000)
        let text = String(decoding: try Examples.request, as: UTF8.self)
            .replacingOccurrences(
                of: "\"displayName\": \"Display Name value\",\n  \"riskScore\"",
                with: "\"displayName\": \"\(longName)\",\n  \"riskScore\"")
        #expect(text.contains(longName))
        let response = try await bed.withServer(kafka: ["message.max.bytes": "1000"]) { port in
            try await HTTPExchange(body: Array(text.utf8)).send(to: port)
        }
        ErrorStatusTests.expectGraphError(response, status: 413, code: "RequestEntityTooLarge")
        #expect(try bed.recordCount() == 0)
    }
}
