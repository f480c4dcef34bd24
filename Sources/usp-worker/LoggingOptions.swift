import ArgumentParser
import Kafka
import Logging

/// How the command logs: JSON lines for machines by default, text for people.
struct LoggingOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable { case json, text }

    @Option(help: "Log line format: json or text (env USP_LOG_FORMAT).")
    var logFormat: Format?

    @Option(help: "Lowest level logged: trace, debug, info, notice, warning, error, critical (env USP_LOG_LEVEL).")
    var logLevel: String?

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level: unknown level '\(logLevel)'")
        }
        if logFormat == nil, let text = environment("LOG_FORMAT"), Format(rawValue: text) == nil {
            throw ValidationError("USP_LOG_FORMAT: unknown format '\(text)'")
        }
    }

    /// Installs the process-wide log handler (once) and returns a logger.
    func bootstrap(label: String, defaultFormat: Format = .json, defaultLevel: Logger.Level = .info) -> Logger {
        let format = logFormat ?? environment("LOG_FORMAT").flatMap(Format.init(rawValue:)) ?? defaultFormat
        let level = (logLevel ?? environment("LOG_LEVEL")).flatMap(Logger.Level.init(rawValue:)) ?? defaultLevel
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                switch format {
                case .json: JSONLogHandler(label: label)
                case .text: StreamLogHandler.standardError(label: label)
                }
            handler.logLevel = level
            return handler
        }
        let kafkaLogger = Logger(label: "librdkafka")
        KafkaLogging.route { line in
            kafkaLogger.log(
                level: Self.level(ofSeverity: line.severity), "\(line.message)",
                metadata: ["facility": "\(line.facility)", "client": "\(line.client)"])
        }
        return Logger(label: label)
    }

    /// swift-log's level for a syslog severity (what librdkafka logs with).
    static func level(ofSeverity severity: Int32) -> Logger.Level {
        switch severity {
        case ...2: .critical
        case 3: .error
        case 4: .warning
        case 5: .notice
        case 6: .info
        default: .debug
        }
    }
}
