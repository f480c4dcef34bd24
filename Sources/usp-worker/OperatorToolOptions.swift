import ArgumentParser
import Kafka
import OperatorTools

import struct Foundation.Data
import class Foundation.FileManager

/// Flags `backfill` and `replay` share: the token their records carry, and
/// how often progress is printed when standard error is not a terminal.
struct OperatorToolOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A file holding a bearer token; every record produced carries `authorization: Bearer <token>`, for workers that verify tokens (env USP_BEARER_TOKEN_FILE). The token is never printed.",
            valueName: "path"))
    var bearerTokenFile: String?

    @Option(help: "Seconds between progress lines when standard error is not a terminal (env USP_PROGRESS_INTERVAL).")
    var progressInterval: Int?

    func validate() throws {
        if let progressInterval, progressInterval <= 0 { throw ValidationError("--progress-interval must be positive") }
    }

    /// The `authorization` header, when a token file is given.
    func extraHeaders() throws -> [KafkaHeader] {
        guard let path = bearerTokenFile ?? environment("BEARER_TOKEN_FILE") else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("--bearer-token-file: cannot read \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: \.isNewline) else {
            // Only the file is named: its content is a secret.
            throw ValidationError("--bearer-token-file: \(path) must hold one token on one line")
        }
        // A file that already holds the scheme (`Bearer eyJ…`) is taken as it is.
        let value = token.lowercased().hasPrefix("bearer ") ? token : "Bearer \(token)"
        return [KafkaHeader(name: "authorization", value: Array(value.utf8))]
    }

    /// Runs a tool, showing its progress on standard error: a bar on a terminal,
    /// plain lines otherwise. A failure is printed there too, as
    /// `usp-worker <label>: <error>`, and exits with status 2.
    func run<Summary, Progress: ProgressReport>(
        _ label: String,
        _ tool: (_ progressInterval: Duration, _ report: (Progress) -> Void) throws(OperatorToolError) -> Summary
    ) throws -> Summary {
        let display = try display(label: label)
        let result = Result<Summary, OperatorToolError> { () throws(OperatorToolError) in
            try tool(display.interval) { ProgressDisplay.writeToStandardError(display.render($0)) }
        }
        ProgressDisplay.writeToStandardError(display.closing)
        switch result {
        case .success(let summary):
            return summary
        case .failure(let error):
            ProgressDisplay.writeToStandardError("usp-worker \(label): \(error)\n")
            throw ExitCode(2)
        }
    }

    private func display(label: String) throws -> ProgressDisplay {
        let seconds = try progressInterval ?? environment("PROGRESS_INTERVAL", as: Int.self) ?? 10
        guard seconds > 0 else { throw ValidationError("USP_PROGRESS_INTERVAL must be positive") }
        return ProgressDisplay.forStandardError(label: label, lineInterval: .seconds(seconds))
    }
}
