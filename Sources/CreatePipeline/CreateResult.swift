/// The outcome of one create request: the `201` entity, or the error to answer with.
public enum CreateResult: Sendable {
    case created(CreatedEntity)
    case rejected(GraphError)
}

/// A created userSecurityProfile.
public struct CreatedEntity: Sendable {
    /// The entity's id: a lowercase GUID, a pure function of the idempotency basis.
    public let id: String
    /// The entity as compact UTF-8 JSON (the `201 Created` body).
    public let body: [UInt8]

    public init(id: String, body: [UInt8]) {
        self.id = id
        self.body = body
    }
}
