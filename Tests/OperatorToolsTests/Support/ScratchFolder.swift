import Foundation
import Testing

/// A temporary folder for a test's input files, removed with it.
final class ScratchFolder: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "usp-tools-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `bytes` to a new file and returns its path.
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file.path
    }

    /// Writes `lines`, each followed by `\n`.
    func write(_ name: String, lines: [[UInt8]]) throws -> String {
        try write(name, lines.flatMap { $0 + [0x0A] })
    }

    /// Compresses a file with the system's `gzip` (an independent writer of
    /// the format) and returns the compressed file's path.
    func gzip(_ path: String, to name: String) throws -> String {
        let output = url.appendingPathComponent(name)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "gzip -c \"$0\" > \"$1\"", path, output.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "gzip compressed \(path)")
        return output.path
    }
}
