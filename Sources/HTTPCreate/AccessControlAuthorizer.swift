import Authentication
import CreatePipeline

/// HTTP creates checked by the verifier that checks events (`--auth jwt`): the same
/// token, permission, tenant and allow-list rules, and the same 401 and 403 errors.
public struct AccessControlAuthorizer: CreateAuthorizer {
    public let access: AccessControl

    public init(access: AccessControl) {
        self.access = access
    }

    public func authorize(authorization: String?, profile: ProfileOwnership?) async -> GraphError? {
        do throws(AccessDenied) {
            let caller = try await access.authenticate(authorization: authorization)
            try access.authorize(caller)
            if let profile {
                try access.authorize(caller, tenantID: profile.azureTenantId, vendor: profile.vendor)
            }
            return nil
        } catch {
            return error.graphError
        }
    }
}
