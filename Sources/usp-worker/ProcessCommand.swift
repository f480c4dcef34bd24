import ArgumentParser
import CreatePipeline

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `usp-worker process`: the create pipeline offline, over JSON lines.
struct ProcessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "Runs the create pipeline over JSON lines, without Kafka.",
        discussion: """
            Reads one create body per line from standard input (or --input). Writes each created \
            entity as a JSON line to standard output and each rejected line to standard error as \
            {"line":N,"status":S,"error":{…}} (N counts from 1; a blank line is rejected), then a \
            summary line {"summary":{"read":…,"created":…,"rejected":…}}. Exits 1 when any line was rejected, 2 when input or output fails.
            """
    )

    @Option(name: .long, help: "Read this file instead of standard input.")
    var input: String?

    @Option(name: .long, help: "Reject bodies larger than this many bytes with status 413.")
    var maxBodySize: Int = CreatePipeline.defaultMaximumBodySize

    static let chunkSize = 1 << 20
    static let flushThreshold = 1 << 20

    func validate() throws {
        guard maxBodySize > 0 else {
            throw ValidationError("--max-body-size must be a positive number of bytes.")
        }
    }

    func run() throws {
        let descriptor: Int32
        if let input {
            descriptor = open(input, O_RDONLY)
            guard descriptor >= 0 else {
                throw Self.failure("cannot open --input \(input): \(String(cString: strerror(errno)))")
            }
        } else {
            descriptor = STDIN_FILENO
        }
        defer { if descriptor != STDIN_FILENO { close(descriptor) } }

        var processor = LineProcessor(
            pipeline: CreatePipeline(maximumBodySize: maxBodySize), inputName: input ?? "stdin")
        var entities: [UInt8] = []
        var rejections: [UInt8] = []
        entities.reserveCapacity(Self.flushThreshold * 2)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
        defer { chunk.deallocate() }

        while true {
            let count = read(descriptor, chunk.baseAddress, chunk.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw Self.failure("cannot read \(input ?? "standard input"): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            processor.consume(
                UnsafeRawBufferPointer(rebasing: chunk[0..<count]), entities: &entities, rejections: &rejections)
            if entities.count >= Self.flushThreshold { try Self.flush(&entities, to: STDOUT_FILENO) }
            if rejections.count >= Self.flushThreshold { try Self.flush(&rejections, to: STDERR_FILENO) }
        }
        processor.finish(entities: &entities, rejections: &rejections)
        rejections.append(contentsOf: processor.summary.line)
        try Self.flush(&entities, to: STDOUT_FILENO)
        try Self.flush(&rejections, to: STDERR_FILENO)
        if processor.summary.rejected > 0 {
            throw ExitCode(1)
        }
    }

    /// Reports an input or output failure on standard error; the exit status is 2
    /// (1 means "some lines were rejected").
    private static func failure(_ message: String) -> ExitCode {
        let line = Array("usp-worker process: \(message)\n".utf8)
        line.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
        return ExitCode(2)
    }

    /// Writes all of `bytes` to `descriptor` and empties the buffer.
    private static func flush(_ bytes: inout [UInt8], to descriptor: Int32) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure("cannot write output: \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }
}
