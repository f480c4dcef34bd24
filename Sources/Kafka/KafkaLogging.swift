internal import CRdKafka
import Synchronization

/// One line librdkafka logged about one of its clients, with the value of every
/// secret property this process has configured cut out.
public struct KafkaLogLine: Sendable {
    /// The syslog severity librdkafka gave it: 0–2 critical, 3 error, 4 warning,
    /// 5 notice, 6 info, 7 debug (only with the `debug` property set).
    public var severity: Int32
    /// librdkafka's facility, e.g. `FAIL`, `CONFWARN`, `SASL`.
    public var facility: String
    /// The client's name, e.g. `rdkafka#consumer-1`.
    public var client: String
    public var message: String
}

/// Where librdkafka's own log lines go.
///
/// librdkafka's log callback is told only which client logged, so the route is
/// one per process, as swift-log's `LoggingSystem` is: an application sends
/// the lines to its logger once, at start. Until then they are written to
/// standard error. Either way every secret property's value (see
/// ``KafkaConfiguration/isSecret(_:)``) is replaced by `[redacted]` first, so
/// not even a `debug=all` line can carry a password.
public enum KafkaLogging {
    /// The route; shared by every librdkafka thread that logs.
    private static let handler = Mutex<(@Sendable (KafkaLogLine) -> Void)?>(nil)

    /// Sends every later librdkafka log line to `handler`. It runs on
    /// librdkafka's own threads, so it should only hand the line on.
    public static func route(to handler: @escaping @Sendable (KafkaLogLine) -> Void) {
        self.handler.withLock { $0 = handler }
    }

    /// librdkafka's `log_cb`, installed on every client's configuration.
    static let callback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void =
        {
            client, severity, facility, text in
            let line = KafkaLogLine(
                severity: severity,
                facility: facility.map { String(cString: $0) } ?? "",
                client: client.map { String(cString: rd_kafka_name($0)) } ?? "",
                message: SecretValues.redacting(text.map { String(cString: $0) } ?? ""))
            KafkaLogging.deliver(line)
        }

    private static func deliver(_ line: KafkaLogLine) {
        if let handler = handler.withLock({ $0 }) {
            handler(line)
        } else {
            writeStandardError("librdkafka \(line.severity) \(line.facility) \(line.client): \(line.message)\n")
        }
    }
}

/// The values of the secret properties of every configuration this process
/// handed to librdkafka, to cut out of the texts librdkafka composes (log
/// lines, error strings). Process-wide because librdkafka's callbacks are.
enum SecretValues {
    private static let values = Mutex<Set<String>>([])

    static func register(_ configuration: KafkaConfiguration) {
        let secrets = configuration.properties.filter { KafkaConfiguration.isSecret($0.key) && !$0.value.isEmpty }
        guard !secrets.isEmpty else { return }
        values.withLock { values in
            for secret in secrets { values.insert(secret.value) }
        }
    }

    /// `text` with every registered secret value replaced by `[redacted]`,
    /// longest first, so a secret that contains another is cut whole.
    static func redacting(_ text: String) -> String {
        let secrets = values.withLock { $0 }
        guard !secrets.isEmpty else { return text }
        var text = text
        for secret in secrets.sorted(by: { $0.count > $1.count }) where text.contains(secret) {
            text = text.replacing(secret, with: "[redacted]")
        }
        return text
    }
}
