import Logging

import struct Foundation.Data
import struct Foundation.Date
import class Foundation.FileHandle
import class Foundation.ISO8601DateFormatter

/// A swift-log handler that writes one JSON object per line to standard
/// error: `{"time":…,"level":…,"label":…,"message":…, <metadata>…}`.
/// swift-log ships only a text handler; this is the small JSON one that log
/// shippers (Vector, Fluent Bit, Loki) read without a parsing rule.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = "{"
        appendString(&line, "time")
        line += ":"
        appendString(
            &line,
            ISO8601DateFormatter.string(
                from: Date(), timeZone: .gmt, formatOptions: [.withInternetDateTime, .withFractionalSeconds]))
        appendField(&line, "level", event.level.rawValue)
        appendField(&line, "label", label)
        appendField(&line, "message", event.message.description)
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where !Self.reserved.contains(key) {
            appendField(&line, key, value.description)
        }
        line += "}\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    private static let reserved: Set<String> = ["time", "level", "label", "message"]

    /// Appends `,"key":"value"`; the line already holds its first field.
    private func appendField(_ line: inout String, _ key: String, _ value: String) {
        line += ","
        appendString(&line, key)
        line += ":"
        appendString(&line, value)
    }

    private func appendString(_ line: inout String, _ text: String) {
        line += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                line += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }
}
