#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// librdkafka configuration properties (`bootstrap.servers`, `group.id`, TLS, SASL…),
/// kept in insertion order.
///
/// Values are validated by librdkafka when a producer or consumer is created; an
/// invalid property is refused with a ``KafkaError`` whose message names it.
/// Values of secret properties (see ``isSecret(_:)``) never appear in
/// ``description``, in errors or in logs.
public struct KafkaConfiguration: Sendable, CustomStringConvertible {
    private var entries: [(key: String, value: String)] = []

    /// A configuration holding `properties` (applied in key order, so that the result
    /// does not depend on dictionary order).
    public init(_ properties: [String: String] = [:]) {
        for key in properties.keys.sorted() { self[key] = properties[key] }
    }

    /// A property's value; setting `nil` removes it. Setting an existing key keeps its position.
    public subscript(key: String) -> String? {
        get { entries.first(where: { $0.key == key })?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    /// Every property, in the order it was first set.
    public var properties: [(key: String, value: String)] { entries }

    /// `bootstrap.servers`: the initial brokers, `host:port[,host:port…]`.
    public var bootstrapServers: String? {
        get { self["bootstrap.servers"] }
        set { self["bootstrap.servers"] = newValue }
    }

    /// `group.id`: the consumer group.
    public var groupID: String? {
        get { self["group.id"] }
        set { self["group.id"] = newValue }
    }

    /// `client.id`: the name the client gives the brokers (logs, quotas).
    public var clientID: String? {
        get { self["client.id"] }
        set { self["client.id"] = newValue }
    }

    /// Whether a property holds a secret whose value must never be shown: passwords,
    /// SASL secrets, tokens and JAAS/OAUTHBEARER configurations, private keys.
    public static func isSecret(_ key: String) -> Bool {
        let key = key.lowercased()
        if key.hasPrefix("ssl.key.") || key.hasPrefix("ssl_key") { return true }
        if key == "sasl.jaas.config" || key.hasPrefix("sasl.oauthbearer.config") { return true }
        let markers = ["password", "secret", "token", "credential", "private.key", "api.key"]
        return markers.contains { key.contains($0) }
    }

    /// The properties as `key=value` lines-in-one, secrets shown as `[redacted]`.
    public var description: String {
        let shown = entries.map { "\($0.key)=\(Self.isSecret($0.key) ? "[redacted]" : $0.value)" }
        return "KafkaConfiguration(\(shown.joined(separator: ", ")))"
    }

    /// Reads a Java-style properties file into this configuration: one `key=value`
    /// (or `key: value`) per line, `#` or `!` comment lines and blank lines ignored,
    /// whitespace around keys and values trimmed. Later keys replace earlier ones.
    /// An unreadable file or a line without a separator is refused; the error names
    /// the file and line, never the line's content (it may hold a secret).
    public mutating func merge(propertiesFile path: String) throws(KafkaError) {
        guard let file = fopen(path, "r") else {
            let reason = String(cString: strerror(errno))
            throw KafkaError(
                code: .invalidArg, name: "INVALID_PROPERTIES_FILE",
                message: "Cannot read properties file \"\(path)\": \(reason)", isRetriable: false)
        }
        defer { fclose(file) }
        var buffer: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(buffer) }
        var lineNumber = 0
        while getline(&buffer, &capacity, file) >= 0, let buffer {
            lineNumber += 1
            let line = String(cString: buffer)
            let trimmed = Self.trim(Substring(line))
            if trimmed.isEmpty || trimmed.first == "#" || trimmed.first == "!" { continue }
            guard let separator = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw KafkaError(
                    code: .invalidArg, name: "INVALID_PROPERTIES_FILE",
                    message: "\(path):\(lineNumber): expected key=value", isRetriable: false)
            }
            let key = Self.trim(trimmed[..<separator])
            let value = Self.trim(trimmed[trimmed.index(after: separator)...])
            guard !key.isEmpty else {
                throw KafkaError(
                    code: .invalidArg, name: "INVALID_PROPERTIES_FILE",
                    message: "\(path):\(lineNumber): empty key", isRetriable: false)
            }
            self[String(key)] = String(value)
        }
    }

    private static func trim(_ text: Substring) -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let start = text.firstIndex(where: { !isSpace($0) }),
            let end = text.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return text[start...end]
    }

    /// A copy with `defaults` added for the keys not set.
    func withDefaults(_ defaults: KeyValuePairs<String, String>) -> KafkaConfiguration {
        var copy = self
        for (key, value) in defaults where copy[key] == nil { copy[key] = value }
        return copy
    }

    /// `message` with every secret property's value replaced by `[redacted]`, for
    /// texts librdkafka composes from the configuration (rd_kafka_new's errstr).
    func redactingSecrets(in message: String) -> String {
        var message = message
        for (key, value) in entries where Self.isSecret(key) && !value.isEmpty {
            message = message.replacing(value, with: "[redacted]")
        }
        return message
    }
}
