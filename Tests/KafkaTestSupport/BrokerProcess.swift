import Foundation

/// `usp-worker broker` as a child process: an embedded cluster of several
/// brokers in a process of its own, driven through its control lines
/// (`down all`, `up all`, `create <topic> <partitions>`), as an operator
/// would run one beside the worker.
public final class BrokerProcess {
    private let process: Process
    private let input: FileHandle
    private let output: OutputLines
    public let bootstrapServers: String

    public init(brokers: Int = 3) throws {
        let process = Process()
        let stdin = Pipe()
        let stdout = Pipe()
        process.executableURL = WorkerProcess.executable
        // The default topics are made too; tests make their own through `create`.
        process.arguments = ["broker", "--brokers", "\(brokers)", "--partitions", "1"]
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        try process.run()
        self.process = process
        input = stdin.fileHandleForWriting
        output = OutputLines(stdout.fileHandleForReading)
        let printed = output.waitForLine(timeout: .seconds(30)) { $0.contains(":") && !$0.hasPrefix("topics") }
        guard let first = printed else {
            process.terminate()
            throw TestFailure("usp-worker broker printed no bootstrap servers")
        }
        bootstrapServers = first
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Sends one control line and waits for its `ok` (bounded).
    public func send(_ line: String) throws {
        input.write(Data((line + "\n").utf8))
        let answer = output.waitForLine(timeout: .seconds(10)) { $0 == "ok \(line)" || $0.hasPrefix("error:") }
        guard answer == "ok \(line)" else {
            throw TestFailure("usp-worker broker answered \(answer ?? "nothing") to \(line)")
        }
    }

    public func createTopic(_ name: String, partitions: Int32) throws { try send("create \(name) \(partitions)") }
    public func setAllBrokersDown() throws { try send("down all") }
    public func setAllBrokersUp() throws { try send("up all") }
}
