import ArgumentParser
import HTTPListener

/// What `--auth none` leaves open, named exactly: the events on the input topic (guarded
/// only by the broker's ACLs) and, when the HTTP create endpoint is on, that endpoint
/// (guarded by nothing: anyone who reaches the port). `run` refuses the second unless
/// `--allow-unauthenticated-http-create` says it is meant.
struct UnauthenticatedExposure {
    /// The topic whose writers are trusted.
    var inputTopic: String
    /// Where `POST /security/userSecurityProfiles` listens; nil when it is off.
    var createListener: ListenerAddress?

    /// One warning per open door, for the start-up log.
    var warnings: [String] {
        var warnings = [
            "authentication is off (--auth none): events on \(inputTopic) are not checked for a bearer token; "
                + "whoever may write to that topic may create profiles in any tenant, and only the broker's ACLs "
                + "protect it"
        ]
        if let createListener {
            warnings.append(
                "authentication is off (--auth none) and --allow-unauthenticated-http-create is given: "
                    + "POST /security/userSecurityProfiles on \(createListener.host):\(createListener.port) "
                    + "checks no bearer token; anyone who can reach that port may create profiles in any tenant, "
                    + "and no broker ACL applies to it")
        }
        return warnings
    }

    /// Why `run` does not start: the endpoint would be open, and nobody said so.
    var refusal: ValidationError {
        let address = createListener.map { "\($0.host):\($0.port)" } ?? "the HTTP listener"
        return ValidationError(
            "--auth none with the HTTP create endpoint on would let anyone who can reach \(address) create "
                + "profiles in any tenant. Use --auth jwt; or --no-http-create to serve events only; or, to accept "
                + "an open endpoint, --allow-unauthenticated-http-create "
                + "(env USP_ALLOW_UNAUTHENTICATED_HTTP_CREATE=true)")
    }
}
