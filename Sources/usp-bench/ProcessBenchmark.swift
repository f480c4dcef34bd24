import ArgumentParser
import CreatePipeline
import Foundation
import SampleEvents

#if canImport(Glibc)
import Glibc
#endif

/// `usp-bench process`: `usp-worker process` timed from outside, as a user times it, beside
/// the pipeline alone on the same events, in the same run.
struct ProcessBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "Times `usp-worker process` over a file of JSON lines beside the pipeline alone on the same events.",
        discussion: """
            Writes --events sample events (10% invalid) to a file, one per line, then runs, \
            interleaved --runs times: the usp-worker executable (`process --input FILE`, entities \
            to /dev/null, errors to a file whose summary line is checked), the --compare-worker \
            executable the same way when given, and one pass of the pipeline alone in this process \
            over the same lines (`LineProcessor`, no I/O). Prints every run, the medians, events/s \
            and the ratios of the medians. Each command's time is wall clock, start to exit; its \
            CPU time (user + system) is printed beside it, and the load average before and after, \
            since other work on the machine slows wall clock down.
            """
    )

    @Option(help: "How many events to write (one in ten invalid).")
    var events = 100_000

    @Option(help: "Interleaved runs of each command; medians are compared.")
    var runs = 5

    @Option(help: "The usp-worker executable (default: beside this one).")
    var worker: String?

    @Option(help: "Another usp-worker executable to time in the same runs, e.g. an earlier build.")
    var compareWorker: String?

    @Option(help: "Keep the input file at this path (default: a temporary file, removed at the end).")
    var keepInput: String?

    func validate() throws {
        guard events > 0, runs > 0 else { throw ValidationError("--events and --runs must be positive.") }
    }

    func run() throws {
        let input = Self.input(events: events)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("usp-bench-process-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputPath = keepInput ?? directory.appendingPathComponent("events.jsonl").path
        try Data(input).write(to: URL(fileURLWithPath: inputPath))

        let executable = worker ?? siblingUSPWorker()
        var commands = [Command(name: "usp-worker process", executable: executable)]
        if let compareWorker {
            commands.append(Command(name: "usp-worker process (--compare-worker)", executable: compareWorker))
        }
        print(
            "process: \(events) events (one in ten invalid), \(input.count / events) bytes a line on average, \(input.count) bytes"
        )
        print("load average before: \(Self.loadAverage())")
        for command in commands { print("  \(command.name): \(command.executable)") }

        var times = Array(repeating: [Timing](), count: commands.count)
        var inProcess: [Timing] = []
        for run in 1...runs {
            for (index, command) in commands.enumerated() {
                let timing = try command.time(
                    input: inputPath, errors: directory.appendingPathComponent("errors").path, events: events)
                times[index].append(timing)
                print("  run \(run): \(command.name): \(timing.printed(events: events))")
            }
            let timing = Self.timeLineProcessor(input)
            inProcess.append(timing)
            print("  run \(run): pipeline alone, in process: \(timing.printed(events: events))")
        }
        print("load average after: \(Self.loadAverage())")

        print("medians of \(runs) runs:")
        let pipelineMedian = Timing.median(inProcess)
        for (index, command) in commands.enumerated() {
            print("  \(command.name): \(Timing.median(times[index]).printed(events: events))")
        }
        print("  pipeline alone, in process: \(pipelineMedian.printed(events: events))")
        let processMedian = Timing.median(times[0])
        print(
            String(
                format: "usp-worker process / pipeline alone, wall time: %.2f", processMedian.wall / pipelineMedian.wall
            ))
        if commands.count > 1 {
            let compareMedian = Timing.median(times[1])
            print(
                String(
                    format: "usp-worker process speed-up over --compare-worker, wall time: %.2f×; CPU time: %.2f×",
                    compareMedian.wall / processMedian.wall, compareMedian.cpu / processMedian.cpu))
        }
    }

    /// The sample events, one a line (the empty invalid event is an empty line).
    static func input(events: Int) -> [UInt8] {
        var input: [UInt8] = []
        for index in 0..<events {
            input.append(contentsOf: SampleEvents.mixed(index).body)
            input.append(0x0A)
        }
        return input
    }

    /// One pass of `LineProcessor` over the whole input, as `process` runs it, without the I/O.
    static func timeLineProcessor(_ input: [UInt8]) -> Timing {
        let cpuStart = CPUTime.thisThread()
        let start = ContinuousClock.now
        var entities: [UInt8] = []
        var rejections: [UInt8] = []
        var processor = LineProcessor(inputName: "stdin")
        input.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {  // in 1 MiB chunks, emptying the outputs, as the command does
                let end = min(offset + (1 << 20), bytes.count)
                processor.consume(
                    UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), entities: &entities, rejections: &rejections)
                entities.removeAll(keepingCapacity: true)
                rejections.removeAll(keepingCapacity: true)
                offset = end
            }
        }
        processor.finish(entities: &entities, rejections: &rejections)
        let wall = (ContinuousClock.now - start).seconds
        return Timing(wall: wall, cpu: (CPUTime.thisThread() - cpuStart).seconds)
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(
            separator: " ") ?? "unknown"
    }

    struct Timing {
        var wall: Double
        var cpu: Double

        func printed(events: Int) -> String {
            String(
                format: "%.3f s, %.0f events/s (CPU %.3f s, %.0f events per CPU second)", wall, Double(events) / wall,
                cpu, Double(events) / cpu)
        }

        static func median(_ timings: [Timing]) -> Timing {
            Timing(wall: usp_bench.median(timings.map(\.wall)), cpu: usp_bench.median(timings.map(\.cpu)))
        }
    }

    struct Command {
        var name: String
        var executable: String

        /// Runs `process --input` once; checks its summary line counts every event.
        func time(input: String, errors: String, events: Int) throws -> Timing {
            _ = FileManager.default.createFile(atPath: errors, contents: nil)
            let errorHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
            defer { try? errorHandle.close() }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["process", "--input", input]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = errorHandle
            let cpuBefore = CPUTime.now().children
            let start = ContinuousClock.now
            try process.run()
            process.waitUntilExit()
            let wall = (ContinuousClock.now - start).seconds
            let cpu = CPUTime.now().children - cpuBefore
            // Exit status 1: some lines were rejected, as one in ten is.
            guard process.terminationStatus == 0 || process.terminationStatus == 1 else {
                throw ValidationError("\(executable) process exited \(process.terminationStatus)")
            }
            let errorText = try String(contentsOfFile: errors, encoding: .utf8)
            let summary = errorText.split(separator: "\n").last ?? ""
            guard summary.hasPrefix(#"{"summary":{"read":\#(events),"#) else {
                throw ValidationError("\(executable) process did not read \(events) lines: \(summary)")
            }
            return Timing(wall: wall, cpu: cpu)
        }
    }
}
