/// Where the HTTP listener listens.
public struct ListenerAddress: Sendable {
    /// `0.0.0.0` (every interface, as in a pod) unless told otherwise.
    public var host: String
    /// 8080 unless told otherwise; 0 lets the system choose (the listener logs
    /// and reports the port it got).
    public var port: Int

    public init(host: String = "0.0.0.0", port: Int = 8080) {
        self.host = host
        self.port = port
    }
}
