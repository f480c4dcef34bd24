import CreatePipeline
import Foundation
import Testing

/// Helpers shared by the pipeline tests.
enum TestSupport {
    static let eventTime = GraphTimestamp(unixMilliseconds: 1_483_228_846_169)  // 2017-01-01T00:00:46.169Z
    static let responseTime = GraphTimestamp(unixMilliseconds: 1_700_000_000_000)

    static func context(
        _ basis: IdempotencyBasis = .record(topic: "userSecurityProfiles.create", partition: 0, offset: 42),
        clientRequestID: String? = nil
    ) -> CreateContext {
        CreateContext(
            idempotencyBasis: basis, eventTime: eventTime, requestID: "0f8fad5b-d9cb-469f-a165-70867728950e",
            clientRequestID: clientRequestID, responseTime: responseTime)
    }

    /// The entity for `body`, or nil (with a recorded issue) when it was rejected.
    static func entity(
        _ body: [UInt8], context: CreateContext = context(), sourceLocation: SourceLocation = #_sourceLocation
    ) -> CreatedEntity? {
        switch CreatePipeline().create(body, context: context) {
        case .created(let entity): return entity
        case .rejected(let error):
            Issue.record(
                "rejected: \(error.status) \(error.code) \(error.target ?? "-") \(error.message)",
                sourceLocation: sourceLocation)
            return nil
        }
    }

    static func entity(_ body: String, sourceLocation: SourceLocation = #_sourceLocation) -> CreatedEntity? {
        entity(Array(body.utf8), sourceLocation: sourceLocation)
    }

    /// The error for `body`, or nil (with a recorded issue) when it was accepted.
    static func error(
        _ body: [UInt8], pipeline: CreatePipeline = CreatePipeline(), sourceLocation: SourceLocation = #_sourceLocation
    ) -> GraphError? {
        switch pipeline.create(body, context: context()) {
        case .created(let entity):
            Issue.record("accepted: \(String(decoding: entity.body, as: UTF8.self))", sourceLocation: sourceLocation)
            return nil
        case .rejected(let error): return error
        }
    }

    /// The body parsed by Foundation (an independent JSON parser), as an object.
    static func jsonObject(_ bytes: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }

    /// The member names of the top-level JSON object `bytes`, in order.
    /// Foundation's dictionaries are unordered, so this scans the bytes directly.
    static func topLevelKeys(_ bytes: [UInt8]) -> [String] {
        var keys: [String] = []
        var depth = 0
        var index = 0
        var expectingKey = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectingKey = byte == UInt8(ascii: "{") && depth == 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                expectingKey = depth == 1
            case UInt8(ascii: "\""):
                var end = index + 1
                while bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
                if expectingKey {
                    keys.append(String(decoding: bytes[(index + 1)..<end], as: UTF8.self))
                    expectingKey = false
                }
                index = end
            default:
                break
            }
            index += 1
        }
        return keys
    }

    /// The example request with `transform` applied to its JSON object (via Foundation),
    /// re-serialized; member order is Foundation's.
    static func exampleRequest(_ transform: (inout [String: Any]) -> Void) -> [UInt8] {
        var object = jsonObject(Fixtures.exampleRequestBytes)!
        transform(&object)
        return Array(try! JSONSerialization.data(withJSONObject: object))
    }

    /// The example request as one compact line.
    static let compactExampleRequest: String = {
        let lines = Fixtures.exampleRequest.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        return lines.joined().replacingOccurrences(of: "\": ", with: "\":")
    }()

    static let entityKeyOrder = [
        "@odata.type", "id", "accounts", "azureSubscriptionId", "azureTenantId", "createdDateTime", "displayName",
        "lastModifiedDateTime", "riskScore", "tags", "userPrincipalName", "vendorInformation",
    ]
}
