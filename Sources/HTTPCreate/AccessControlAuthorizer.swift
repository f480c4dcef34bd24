import Authentication
import CreatePipeline

/// HTTP creates checked by the verifier that checks events (`--auth jwt`): the same
/// token, permission, tenant and allow-list rules, and the same 401 and 403 errors.
/// The token and its permission are checked before the body is read; the tenant and
/// vendor once the body is valid.
public struct AccessControlAuthorizer: CreateAuthorizer {
    public let access: AccessControl

    public init(access: AccessControl) {
        self.access = access
    }

    public func authenticate(authorization: String?) async -> Result<Caller, GraphError> {
        do throws(AccessDenied) {
            let caller = try await access.authenticate(authorization: authorization)
            try access.authorize(caller)
            return .success(caller)
        } catch {
            return .failure(error.graphError)
        }
    }

    public func authorize(_ caller: Caller, profile: ProfileOwnership) -> GraphError? {
        do throws(AccessDenied) {
            try access.authorize(caller, tenantID: profile.azureTenantId, vendor: profile.vendor)
            return nil
        } catch {
            return error.graphError
        }
    }
}
