import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// One request on a connection of its own (the endpoint closes the connection after 413
/// and 415, so requests do not share one), and its response.
struct HTTPExchange: Sendable {
    var method: HTTPRequest.Method = .post
    var path = "/security/userSecurityProfiles"
    var headers: HTTPFields = [.contentType: "application/json"]
    var body: [UInt8]?

    func send(to port: Int) async throws -> HTTPResult {
        let request = TestClient.Request(
            path, method: method, authority: "127.0.0.1", headers: headers, body: body.map { ByteBuffer(bytes: $0) })
        let response = try await TestClient.withClient(
            host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(30))
        ) { client in
            try await client.execute(request)
        }
        return HTTPResult(
            status: response.status.code, headers: response.head.headerFields,
            body: response.body.map { Array($0.readableBytesView) } ?? [])
    }
}

/// What came back.
struct HTTPResult: Sendable {
    var status: Int
    var headers: HTTPFields
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }

    /// The body as a JSON object.
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }

    /// The body's `error` member, when it is a Graph error.
    var graphError: [String: Any]? { json?["error"] as? [String: Any] }
}
