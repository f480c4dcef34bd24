import Foundation

/// What a create request writes for: the values an authorizer binds the caller's token to
/// (the token's tenant, the vendors an app may write for).
public struct ProfileOwnership: Sendable, Hashable {
    /// The body's `azureTenantId`, with JSON escapes decoded.
    public var azureTenantId: String
    /// The body's `vendorInformation.vendor`; nil when absent or `null`.
    public var vendor: String?

    public init(azureTenantId: String, vendor: String?) {
        self.azureTenantId = azureTenantId
        self.vendor = vendor
    }

    /// Reads them from a created entity (the pipeline's output, so already validated: the
    /// tenant is a string; the vendor a string or null). Foundation's decoder is fast enough
    /// here: it runs only when an authorizer is configured, on a body of a few hundred bytes.
    init?(entity: [UInt8]) {
        guard let decoded = try? JSONDecoder().decode(EntityOwnership.self, from: Data(entity)) else { return nil }
        self.init(azureTenantId: decoded.azureTenantId, vendor: decoded.vendorInformation?.vendor)
    }
}

/// The two members of an entity that name its owner; the decoder skips the rest.
private struct EntityOwnership: Decodable {
    struct VendorInformation: Decodable {
        var vendor: String?
    }

    var azureTenantId: String
    var vendorInformation: VendorInformation?
}
