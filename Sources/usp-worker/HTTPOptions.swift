import ArgumentParser
import HTTPListener
import Logging

/// The HTTP listener's flags: `/metrics`, `/livez`, `/readyz` and `POST /security/userSecurityProfiles`.
struct HTTPOptions: ParsableArguments {
    @Option(
        help:
            "Port of the HTTP listener for /metrics, /livez and /readyz; 0 lets the system choose (env USP_HTTP_PORT; default 8080)."
    )
    var httpPort: Int?

    @Option(help: "Address the HTTP listener binds (env USP_HTTP_HOST; default 0.0.0.0, every interface).")
    var httpHost: String?

    @Flag(help: "Run without the HTTP listener (env USP_NO_HTTP=true).")
    var noHttp = false

    @Option(
        help: ArgumentHelp(
            "PEM file of the listener's certificate chain (server certificate first): serve HTTPS instead of HTTP; "
                + "read again when it changes (env USP_HTTP_TLS_CERTIFICATE; needs --http-tls-key).",
            valueName: "path"))
    var httpTlsCertificate: String?

    @Option(
        help: ArgumentHelp(
            "PEM file of the listener's private key, unencrypted; read again when it changes "
                + "(env USP_HTTP_TLS_KEY; needs --http-tls-certificate).",
            valueName: "path"))
    var httpTlsKey: String?

    @Option(
        help:
            "Seconds an assigned partition may have lag without its committed offset moving before /livez fails (env USP_STUCK_PARTITION_TIMEOUT; default 300)."
    )
    var stuckPartitionTimeout: Int?

    @Flag(
        inversion: .prefixedNo,
        help: "Serve POST /security/userSecurityProfiles on the listener (env USP_HTTP_CREATE=false turns it off).")
    var httpCreate = true

    @Flag(
        help: ArgumentHelp(
            "With --auth none, serve POST /security/userSecurityProfiles anyway: anyone who can reach the port may "
                + "then create profiles in any tenant (env USP_ALLOW_UNAUTHENTICATED_HTTP_CREATE=true). Without it, "
                + "--auth none with the endpoint on refuses to start."))
    var allowUnauthenticatedHttpCreate = false

    @Option(
        help:
            "Milliseconds an HTTP-created entity may wait for the brokers' acknowledgement before the request gets 503, or 504 when it may have been written (env USP_PUBLISH_TIMEOUT_MS; default 5000)."
    )
    var publishTimeoutMs: Int?

    @Option(
        help:
            "Idempotency-Key creates whose first time is remembered, so retries are byte-identical (env USP_IDEMPOTENCY_WINDOW; default 100000)."
    )
    var idempotencyWindow: Int?

    /// What to listen on, or nil when the listener is off.
    func settings() throws -> HTTPSettings? {
        if try noHttp || (environment("NO_HTTP", as: Bool.self) ?? false) { return nil }
        let port = try httpPort ?? environment("HTTP_PORT", as: Int.self) ?? 8080
        guard (0...65535).contains(port) else { throw ValidationError("--http-port must be 0…65535") }
        let timeout = try stuckPartitionTimeout ?? environment("STUCK_PARTITION_TIMEOUT", as: Int.self)
        if let timeout, timeout <= 0 { throw ValidationError("--stuck-partition-timeout must be positive") }
        return HTTPSettings(
            address: ListenerAddress(host: httpHost ?? environment("HTTP_HOST") ?? "0.0.0.0", port: port),
            stuckPartitionTimeout: timeout.map { .seconds($0) } ?? ObservedWorker.defaultStuckPartitionTimeout,
            create: try createSettings(), tls: try tlsFiles())
    }

    /// The certificate and key files for HTTPS, or nil for plain HTTP.
    private func tlsFiles() throws -> HTTPSettings.TLSFiles? {
        let certificate = httpTlsCertificate ?? environment("HTTP_TLS_CERTIFICATE")
        let key = httpTlsKey ?? environment("HTTP_TLS_KEY")
        switch (certificate, key) {
        case (nil, nil): return nil
        case (let certificate?, let key?): return HTTPSettings.TLSFiles(certificate: certificate, key: key)
        default: throw ValidationError("--http-tls-certificate and --http-tls-key go together: give both, or neither")
        }
    }

    /// Whether `--allow-unauthenticated-http-create` (or its environment variable) was given.
    var allowsUnauthenticatedCreate: Bool {
        get throws {
            try allowUnauthenticatedHttpCreate
                || (environment("ALLOW_UNAUTHENTICATED_HTTP_CREATE", as: Bool.self) ?? false)
        }
    }

    /// The create endpoint's settings, or nil when it is off.
    private func createSettings() throws -> CreateEndpointSettings? {
        guard try httpCreate && (environment("HTTP_CREATE", as: Bool.self) ?? true) else { return nil }
        let timeout = try publishTimeoutMs ?? environment("PUBLISH_TIMEOUT_MS", as: Int.self) ?? 5_000
        let window = try idempotencyWindow ?? environment("IDEMPOTENCY_WINDOW", as: Int.self) ?? 100_000
        guard timeout > 0 else { throw ValidationError("--publish-timeout-ms must be positive") }
        guard window >= 0 else { throw ValidationError("--idempotency-window must not be negative") }
        return CreateEndpointSettings(publishTimeout: .milliseconds(timeout), idempotencyWindow: window)
    }
}

/// The listener's settings once read.
struct HTTPSettings {
    var address: ListenerAddress
    var stuckPartitionTimeout: Duration
    /// Nil when the listener serves no `POST /security/userSecurityProfiles`.
    var create: CreateEndpointSettings?
    /// PEM files for HTTPS; nil for plain HTTP.
    var tls: TLSFiles?

    struct TLSFiles {
        var certificate: String
        var key: String
    }

    /// The listener's certificate and key, read and checked; nil for plain HTTP.
    func listenerTLS(logger: Logger) throws -> ListenerTLS? {
        guard let tls else { return nil }
        do {
            return try ListenerTLS(certificatePath: tls.certificate, keyPath: tls.key, logger: logger)
        } catch {
            throw ValidationError("--http-tls-certificate/--http-tls-key: \(error.message)")
        }
    }
}
