import Foundation
import Testing

/// `usp-worker` as a child process, its standard output and error captured
/// in one file: everything it ever logs.
final class ChildWorker {
    private let process = Process()
    private let output: URL

    init(_ arguments: [String]) throws {
        output = FileManager.default.temporaryDirectory.appendingPathComponent("usp-worker-ops-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: output.path, contents: nil) else {
            throw TestFailure("cannot create \(output.path)")
        }
        let handle = try FileHandle(forWritingTo: output)
        // The built command sits beside the test bundle in the build folder.
        var folder = Bundle.main.bundleURL
        for _ in 0..<4 where !FileManager.default.fileExists(atPath: folder.appendingPathComponent("usp-worker").path) {
            folder.deleteLastPathComponent()
        }
        process.executableURL = folder.appendingPathComponent("usp-worker")
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: output)
    }

    func terminate() { kill(process.processIdentifier, SIGTERM) }

    /// Waits for the exit (bounded); nil when it did not exit in time.
    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    var log: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    /// The log's lines, each decoded as a JSON object (nil for a line that is not one).
    var logLines: [(text: String, object: [String: Any]?)] {
        log.split(separator: "\n").map { line in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return (String(line), object)
        }
    }
}
