import Foundation
import Synchronization

/// `usp-worker broker` as a child process: an embedded cluster of several
/// brokers in a process of its own, driven through its control lines
/// (`down all`, `up all`, `create <topic> <partitions>`), as an operator
/// would run one beside the worker.
final class BrokerProcess {
    private let process: Process
    private let input: FileHandle
    private let output: OutputLines
    let bootstrapServers: String

    init(brokers: Int = 3) throws {
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
        guard let first = output.waitForLine(timeout: .seconds(30), where: { $0.contains(":") && !$0.hasPrefix("topics") })
        else {
            process.terminate()
            throw BrokerProcessError("usp-worker broker printed no bootstrap servers")
        }
        bootstrapServers = first
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Sends one control line and waits for its `ok` (bounded).
    func send(_ line: String) throws {
        input.write(Data((line + "\n").utf8))
        let answer = output.waitForLine(timeout: .seconds(10)) { $0 == "ok \(line)" || $0.hasPrefix("error:") }
        guard answer == "ok \(line)" else {
            throw BrokerProcessError("usp-worker broker answered \(answer ?? "nothing") to \(line)")
        }
    }

    func createTopic(_ name: String, partitions: Int32) throws { try send("create \(name) \(partitions)") }
    func setAllBrokersDown() throws { try send("down all") }
    func setAllBrokersUp() throws { try send("up all") }
}

struct BrokerProcessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The lines a child writes to a pipe, read on a thread of their own.
private final class OutputLines: Sendable {
    private let lines = Mutex<(all: [String], consumed: Int, partial: String)>(([], 0, ""))

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { return }
                lines.withLock { state in
                    state.partial += String(decoding: data, as: UTF8.self)
                    while let newline = state.partial.firstIndex(of: "\n") {
                        state.all.append(String(state.partial[..<newline]))
                        state.partial = String(state.partial[state.partial.index(after: newline)...])
                    }
                }
            }
        }
        thread.start()
    }

    /// The first line not yet taken that matches, taking it and those before it;
    /// nil when none came within `timeout`.
    func waitForLine(timeout: Duration, where matches: (String) -> Bool) -> String? {
        let deadline = ContinuousClock.now + timeout
        repeat {
            let found: String? = lines.withLock { state in
                guard let index = state.all[state.consumed...].firstIndex(where: matches) else { return nil }
                state.consumed = index + 1
                return state.all[index]
            }
            if let found { return found }
            Thread.sleep(forTimeInterval: 0.01)
        } while ContinuousClock.now < deadline
        return nil
    }
}
