#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a tool shows its progress on standard error: a bar redrawn in place on
/// a terminal, plain lines now and then otherwise (a log collector or a file
/// keeps every line, so redrawing would only fill it with carriage returns).
public struct ProgressDisplay: Sendable {
    /// Redrawn bar or plain lines.
    public enum Style: Sendable, Equatable {
        /// One line redrawn in place, clipped to the terminal's width.
        case bar(columns: Int)
        /// One line per report.
        case lines
    }

    /// How reports are shown.
    public let style: Style
    /// What each plain line starts with, e.g. `backfill`.
    public let label: String
    /// How often the tool should report.
    public let interval: Duration

    /// A display of this style; ``forStandardError(label:lineInterval:)`` chooses one.
    public init(style: Style, label: String, interval: Duration) {
        self.style = style
        self.label = label
        self.interval = interval
    }

    /// A bar (five reports a second) when standard error is a terminal,
    /// otherwise a line every `lineInterval`.
    public static func forStandardError(label: String, lineInterval: Duration) -> ProgressDisplay {
        guard isatty(STDERR_FILENO) == 1 else {
            return ProgressDisplay(style: .lines, label: label, interval: lineInterval)
        }
        var size = winsize()
        let columns = ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
        return ProgressDisplay(style: .bar(columns: columns), label: label, interval: .milliseconds(200))
    }

    static let barWidth = 24

    /// The text for one report.
    public func render(_ report: some ProgressReport) -> String {
        render(fraction: report.fraction, status: report.status)
    }

    /// The text for one report: `fraction` (0…1) when the total is known.
    public func render(fraction: Double?, status: String) -> String {
        let percent = fraction.map { " \(Int(($0 * 100).rounded(.down)))%" } ?? ""
        switch style {
        case .lines:
            return "\(label):\(percent) \(status)\n"
        case .bar(let columns):
            var line = ""
            if let fraction {
                let filled = Int((min(max(fraction, 0), 1) * Double(Self.barWidth)).rounded(.down))
                line =
                    "[" + String(repeating: "#", count: filled)
                    + String(repeating: "-", count: Self.barWidth - filled) + "]" + percent + " "
            }
            line += status
            // Carriage return, the line clipped short of the last column (a
            // full line would wrap on some terminals), then erase to its end.
            return "\r" + String(line.prefix(max(1, columns - 1))) + "\u{1B}[K"
        }
    }

    /// What ends the display: the newline that keeps the last bar on screen.
    public var closing: String {
        style == .lines ? "" : "\n"
    }

    /// Writes `text` to standard error, unbuffered.
    public static func writeToStandardError(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
    }
}
