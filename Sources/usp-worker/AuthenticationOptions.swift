import ArgumentParser
import Authentication
import Logging
import Worker

import struct Foundation.URL

/// How `run` checks each event's `authorization: Bearer <JWT>`; every flag also from the
/// environment (`USP_AUTH`, `USP_JWKS_URL`, …).
struct AuthenticationOptions: ParsableArguments {
    enum Mode: String, ExpressibleByArgument, CaseIterable {
        /// Verify each record's bearer token (the default).
        case jwt
        /// Check no token: the broker's ACLs are the only guard.
        case none
    }

    @Option(
        help:
            "jwt: each event must carry a valid bearer token (the default); none: trust whoever may write to the input topic (env USP_AUTH)."
    )
    var auth: Mode?

    @Option(help: "JWKS endpoint of the token issuer (RS256, ES256 keys), https (env USP_JWKS_URL).")
    var jwksURL: String?

    @Option(help: "JWKS file (RS256, ES256 keys), reloaded when it changes (env USP_JWKS_FILE).")
    var jwksFile: String?

    @Option(
        name: .customLong("hs256-secret-file"),
        help: "File holding the HS256 shared secret, at least 32 bytes (env USP_HS256_SECRET_FILE).")
    var hs256SecretFile: String?

    @Option(
        help: ArgumentHelp(
            "Accepted token issuer (iss); repeatable; {tenantid} stands for the token's tid (env USP_ISSUER, comma-separated).",
            valueName: "iss"))
    var issuer: [String] = []

    @Option(
        help: ArgumentHelp(
            "Accepted token audience (aud): this service's application id or URI; repeatable (env USP_AUDIENCE, comma-separated).",
            valueName: "aud"))
    var audience: [String] = []

    @Option(help: "Seconds exp and nbf may be off the local clock (env USP_CLOCK_SKEW; default 60).")
    var clockSkew: Int?

    @Option(
        help: ArgumentHelp(
            "JSON file of the tenants and vendors each caller may write for, reloaded when it changes (env USP_TENANT_ALLOW_LIST).",
            valueName: "file"))
    var tenantAllowList: String?

    var mode: Mode {
        get throws { try auth ?? environment("AUTH", as: Mode.self) ?? .jwt }
    }

    /// The token configuration for `--auth jwt`, checked (a key source, an issuer and an
    /// audience are required); nil for `--auth none`.
    func configuration() throws -> AuthenticationConfiguration? {
        guard try mode == .jwt else {
            // Token settings with `none` would suggest tokens are checked: refuse the mix.
            let given = tokenSettingsGiven
            guard given.isEmpty else {
                throw ValidationError(
                    "--auth none checks no token, yet \(given.joined(separator: ", ")) given: remove them, or use --auth jwt"
                )
            }
            return nil
        }
        var configuration = AuthenticationConfiguration()
        if let text = jwksURL ?? environment("JWKS_URL") {
            guard let url = URL(string: text), url.host != nil else {
                throw ValidationError("--jwks-url: not a URL: \(text)")
            }
            configuration.jwksURL = url
        }
        configuration.jwksFile = jwksFile ?? environment("JWKS_FILE")
        configuration.hs256SecretFile = hs256SecretFile ?? environment("HS256_SECRET_FILE")
        configuration.issuers = issuer.isEmpty ? list("ISSUER") : issuer
        configuration.audiences = audience.isEmpty ? list("AUDIENCE") : audience
        if let seconds = try clockSkew ?? environment("CLOCK_SKEW", as: Int.self) {
            guard seconds >= 0 else { throw ValidationError("--clock-skew must not be negative") }
            configuration.clockSkew = .seconds(seconds)
        }
        configuration.tenantAllowListFile = tenantAllowList ?? environment("TENANT_ALLOW_LIST")
        do {
            try configuration.validate()
        } catch {
            throw ValidationError(error.message)
        }
        return configuration
    }

    /// Loads the keys (and the allow-list) for `--auth jwt`; fails when any cannot be used.
    static func eventAuthentication(_ configuration: AuthenticationConfiguration?, logger: Logger) async throws
        -> EventAuthentication
    {
        guard let configuration else { return .none }
        do {
            return .bearerToken(try await AccessControl.start(configuration, logger: logger))
        } catch {
            throw ValidationError("authentication could not start: \(error.message)")
        }
    }

    /// The token settings given, by flag name (from the command line or the environment).
    private var tokenSettingsGiven: [String] {
        let settings: [(String, Bool, String)] = [
            ("--jwks-url", jwksURL != nil, "JWKS_URL"), ("--jwks-file", jwksFile != nil, "JWKS_FILE"),
            ("--hs256-secret-file", hs256SecretFile != nil, "HS256_SECRET_FILE"),
            ("--issuer", !issuer.isEmpty, "ISSUER"),
            ("--audience", !audience.isEmpty, "AUDIENCE"), ("--clock-skew", clockSkew != nil, "CLOCK_SKEW"),
            ("--tenant-allow-list", tenantAllowList != nil, "TENANT_ALLOW_LIST"),
        ]
        return settings.filter { $0.1 || environment($0.2) != nil }.map(\.0)
    }

    private func list(_ name: String) -> [String] {
        environment(name).map { $0.split(separator: ",").map { String($0).trimmingSpaces } } ?? []
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
