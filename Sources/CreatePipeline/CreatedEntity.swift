/// A created userSecurityProfile.
public struct CreatedEntity: Sendable {
    /// The entity's id: a lowercase GUID, a pure function of the idempotency basis.
    public let id: String
    /// The entity as compact UTF-8 JSON (the `201 Created` body).
    public let body: [UInt8]
    /// The body's `azureTenantId`, decoded: the tenant the entity is created in, which an
    /// authorization step compares with the caller's token.
    public let azureTenantId: String
    /// The body's `vendorInformation.vendor`, decoded; nil when absent or `null`.
    public let vendor: String?

    public init(id: String, body: [UInt8], azureTenantId: String, vendor: String?) {
        self.id = id
        self.body = body
        self.azureTenantId = azureTenantId
        self.vendor = vendor
    }
}
