import Foundation

/// Which callers may write for which tenants and vendors, from `--tenant-allow-list`:
///
/// ```json
/// {"callers": [
///   {"id": "<oid, sub, appid or azp>", "tenants": ["<tenant id>", …], "vendors": ["<vendorInformation.vendor>", …]},
///   {"id": "…", "tenants": ["*"], "vendors": ["*"]}
/// ]}
/// ```
///
/// An entry applies to a caller whose `oid`, `sub`, `appid` or `azp` equals its `id`. The
/// request is allowed when an applying entry lists its tenant (or `*`) and its vendor (or `*`;
/// a request without a vendor matches `*` only). Tenant ids compare without regard to case
/// (they are GUIDs), vendors exactly. The token's `tid` must still equal `azureTenantId`: the
/// list narrows what a caller may do, never widens it.
public struct TenantAllowList: Sendable, Equatable {
    /// One caller's grants.
    public struct Entry: Sendable, Equatable, Codable {
        public var id: String
        public var tenants: [String]
        public var vendors: [String]

        public init(id: String, tenants: [String], vendors: [String]) {
            self.id = id
            self.tenants = tenants
            self.vendors = vendors
        }
    }

    public var callers: [Entry]

    public init(callers: [Entry]) {
        self.callers = callers
    }

    /// Reads the file's JSON; every entry needs a non-empty `id`, `tenants` and `vendors`.
    public init(json: Data) throws(AllowListFormatError) {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: json)
        } catch {
            throw AllowListFormatError(
                reason:
                    "expected {\"callers\": [{\"id\": …, \"tenants\": […], \"vendors\": […]}, …]} (\(Self.describe(error)))"
            )
        }
        for (index, entry) in document.callers.enumerated() {
            guard !entry.id.isEmpty, !entry.tenants.isEmpty, !entry.vendors.isEmpty,
                !entry.tenants.contains(""), !entry.vendors.contains("")
            else {
                throw AllowListFormatError(reason: "callers[\(index)] needs a non-empty id, tenants and vendors")
            }
        }
        callers = document.callers
    }

    /// Why `caller` may not write for `tenantID` and `vendor`, or nil when it may.
    public func denial(for caller: Caller, tenantID: String, vendor: String?) -> AccessDenied? {
        let identifiers = caller.identifiers
        let applying = callers.filter { identifiers.contains($0.id) }
        guard !applying.isEmpty else {
            return AccessDenied(.callerNotAllowed, "The caller is not on the tenant allow-list.")
        }
        let forTenant = applying.filter { entry in
            entry.tenants.contains { $0 == Self.any || TenantID.same($0, tenantID) }
        }
        guard !forTenant.isEmpty else {
            return AccessDenied(.tenantNotAllowed, "The caller may not write for tenant '\(tenantID.prefix(64))'.")
        }
        let forVendor = forTenant.contains { entry in
            entry.vendors.contains { $0 == Self.any || $0 == vendor }
        }
        guard forVendor else {
            return AccessDenied(
                .vendorNotAllowed,
                vendor.map { "The caller may not write for vendor '\($0.prefix(64))'." }
                    ?? "The caller may write only for listed vendors, and the body names none.")
        }
        return nil
    }

    static let any = "*"

    private struct Document: Decodable {
        var callers: [Entry]
    }

    private static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            "missing '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            "wrong type at \(path(context))"
        case .dataCorrupted?:
            "not JSON"
        default:
            "unreadable"
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return path.isEmpty ? "the top level" : path
    }
}

/// Why an allow-list file cannot be used.
public struct AllowListFormatError: Error, Sendable {
    public let reason: String
}

/// Tenant ids are GUIDs, whose hexadecimal digits may come in either case.
enum TenantID {
    /// Whether two tenant ids are the same, ASCII letters compared without regard to case
    /// (without the allocations of `lowercased()`: this runs for every event).
    static func same(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { lower($0) == lower($1) }
    }

    @inline(__always)
    private static func lower(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }
}
