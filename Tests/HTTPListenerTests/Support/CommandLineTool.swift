import Foundation
import KafkaTestSupport

/// A command-line tool run to its end (openssl, curl), its output and exit status.
struct CommandLineTool {
    struct Result {
        var status: Int32
        var output: String
    }

    /// Runs `arguments` (the first is the tool, found on the PATH) for at most `timeout`;
    /// standard output and error together, at most a few KiB here.
    static func run(_ arguments: [String], timeout: Duration = .seconds(30)) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString).out")
        guard FileManager.default.createFile(atPath: output.path, contents: nil) else {
            throw TestFailure("cannot create \(output.path)")
        }
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw TestFailure("\(arguments.joined(separator: " ")) did not end within \(timeout)")
        }
        try handle.close()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, output: text)
    }
}

/// A self-signed certificate for 127.0.0.1 and its key, PEM files made by openssl.
struct TestCertificate {
    let certificate: String
    let key: String

    /// Makes the pair in `folder` under the names `name.crt` and `name.key`.
    static func make(in folder: URL, name: String) throws -> TestCertificate {
        let certificate = folder.appendingPathComponent("\(name).crt").path
        let key = folder.appendingPathComponent("\(name).key").path
        let made = try CommandLineTool.run([
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=\(name)",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ])
        guard made.status == 0 else { throw TestFailure("openssl could not make a certificate: \(made.output)") }
        return TestCertificate(certificate: certificate, key: key)
    }
}
