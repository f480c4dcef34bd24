import Foundation

/// The API page's example request and response, from the repository's `Examples/`.
enum Examples {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples")

    static var request: [UInt8] {
        get throws { Array(try Data(contentsOf: directory.appendingPathComponent("create-request.json"))) }
    }
    static var response: String {
        get throws { try String(contentsOf: directory.appendingPathComponent("create-response.json"), encoding: .utf8) }
    }

    /// The example request with its `azureTenantId` replaced.
    static func request(tenant: String) throws -> [UInt8] {
        let text = String(decoding: try request, as: UTF8.self)
        return Array(text.replacingOccurrences(of: "\"Azure Tenant Id value\"", with: "\"\(tenant)\"").utf8)
    }

    /// The example response, compact, with the page's id and service-set timestamps replaced.
    static func compactResponse(id: String, createdDateTime: String, lastModifiedDateTime: String) throws -> String {
        try response.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined()
            .replacingOccurrences(of: "\": ", with: "\":")
            .replacingOccurrences(of: "e9107a0b-7a0b-e910-0b7a-10e90b7a10e9", with: id)
            .replacingOccurrences(of: "2017-01-01T00:00:46.1697867+03:00", with: createdDateTime)
            .replacingOccurrences(of: "2016-12-31T23:58:46.8102575+03:00", with: lastModifiedDateTime)
    }
}
