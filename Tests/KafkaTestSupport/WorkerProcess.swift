import Foundation

/// `usp-worker` as a child process, its standard output and error captured in one file:
/// for what only a process can show (SIGKILL, SIGTERM, exit codes, everything it logs).
public final class WorkerProcess {
    private let process = Process()
    private let output: URL

    /// The built `usp-worker`, beside the test bundle in the build folder.
    public static var executable: URL {
        var folder = Bundle.main.bundleURL
        for _ in 0..<4 where !FileManager.default.fileExists(atPath: folder.appendingPathComponent("usp-worker").path) {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent("usp-worker")
    }

    /// Starts the command; `environment` is added to the test's own.
    public init(_ arguments: [String], environment: [String: String] = [:]) throws {
        output = FileManager.default.temporaryDirectory.appendingPathComponent("usp-worker-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: output.path, contents: nil) else {
            throw TestFailure("cannot create \(output.path)")
        }
        let handle = try FileHandle(forWritingTo: output)
        process.executableURL = Self.executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: output)
    }

    public var isRunning: Bool { process.isRunning }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// SIGTERM, as an orchestrator stops the worker.
    public func terminate() { signal(SIGTERM) }

    /// Waits for the exit (bounded); nil when it did not exit in time.
    public func waitForExit(timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.02) }
        guard !process.isRunning else { return nil }
        return process.terminationStatus
    }

    /// Everything the child wrote so far.
    public var log: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    /// The log's lines, each decoded as a JSON object (nil for a line that is not one).
    public var logLines: [(text: String, object: [String: Any]?)] {
        log.split(separator: "\n").map { line in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return (String(line), object)
        }
    }
}
