import CreatePipeline
import Kafka

/// A created entity as the outbound topic carries it (the contract's "Outbound records"):
/// value = the entity, key = its id, headers `content-type: application/json`,
/// `location: /security/userSecurityProfiles/{id}`, `request-id`, then the request's
/// `client-request-id`, `traceparent` and `tracestate` when it had them.
///
/// Every front end (the Kafka worker, the HTTP endpoint) builds its created records here,
/// so downstream cannot tell which one created an entity.
public struct CreatedEntityRecord: Sendable, Hashable {
    /// The request headers copied onto the record when present, in this order.
    public static let passedThroughHeaderNames = ["client-request-id", "traceparent", "tracestate"]

    /// The entity id, UTF-8 (a compacted output topic keeps one record per entity).
    public let key: [UInt8]
    /// The entity, compact UTF-8 JSON.
    public let value: [UInt8]
    /// In the order listed above.
    public let headers: [KafkaHeader]

    /// - Parameters:
    ///   - requestID: the request's `request-id` (for events, derived from the record's coordinates).
    ///   - requestHeader: the request's first value of a header, given its lowercase name; nil when absent.
    public init(entity: CreatedEntity, requestID: String, requestHeader: (String) -> String?) {
        var headers = [
            KafkaHeader(name: "content-type", value: Array("application/json".utf8)),
            KafkaHeader(name: "location", value: Array(Self.location(ofEntityID: entity.id).utf8)),
            KafkaHeader(name: "request-id", value: Array(requestID.utf8)),
        ]
        for name in Self.passedThroughHeaderNames {
            if let value = requestHeader(name) {
                headers.append(KafkaHeader(name: name, value: Array(value.utf8)))
            }
        }
        key = Array(entity.id.utf8)
        value = entity.body
        self.headers = headers
    }

    /// `/security/userSecurityProfiles/{id}`: the entity's address, as the `location` header
    /// of the record and of the HTTP `201` response.
    public static func location(ofEntityID id: String) -> String {
        "/security/userSecurityProfiles/\(id)"
    }
}
