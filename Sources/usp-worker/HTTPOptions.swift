import ArgumentParser
import Operations

/// The HTTP listener's flags: `/metrics`, `/livez`, `/readyz`.
struct HTTPOptions: ParsableArguments {
    @Option(help: "Port of the HTTP listener for /metrics, /livez and /readyz; 0 lets the system choose (env USP_HTTP_PORT; default 8080).")
    var httpPort: Int?

    @Option(help: "Address the HTTP listener binds (env USP_HTTP_HOST; default 0.0.0.0, every interface).")
    var httpHost: String?

    @Flag(help: "Run without the HTTP listener (env USP_NO_HTTP=true).")
    var noHttp = false

    @Option(help: "Seconds an assigned partition may have lag without its committed offset moving before /livez fails (env USP_STUCK_PARTITION_TIMEOUT; default 300).")
    var stuckPartitionTimeout: Int?

    /// What to listen on, or nil when the listener is off.
    func settings() throws -> HTTPSettings? {
        if try noHttp || (environment("NO_HTTP", as: Bool.self) ?? false) { return nil }
        let port = try httpPort ?? environment("HTTP_PORT", as: Int.self) ?? 8080
        guard (0...65535).contains(port) else { throw ValidationError("--http-port must be 0…65535") }
        let timeout = try stuckPartitionTimeout ?? environment("STUCK_PARTITION_TIMEOUT", as: Int.self)
        if let timeout, timeout <= 0 { throw ValidationError("--stuck-partition-timeout must be positive") }
        return HTTPSettings(
            address: ListenerAddress(host: httpHost ?? environment("HTTP_HOST") ?? "0.0.0.0", port: port),
            stuckPartitionTimeout: timeout.map { .seconds($0) } ?? ObservedWorker.defaultStuckPartitionTimeout)
    }
}

/// The listener's settings once read.
struct HTTPSettings {
    var address: ListenerAddress
    var stuckPartitionTimeout: Duration
}
