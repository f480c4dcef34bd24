import Foundation

/// Runs every file named (folders: every file inside) through a fuzz entry: what a fuzz
/// target does when built without libFuzzer.
public enum CorpusReplay {
    /// Returns how many inputs were run.
    public static func run(arguments: ArraySlice<String>, entry: (UnsafePointer<UInt8>?, Int) -> CInt) throws -> Int {
        var files: [String] = []
        for argument in arguments {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isFolder) else {
                throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: argument])
            }
            if isFolder.boolValue {
                files += try FileManager.default.contentsOfDirectory(atPath: argument).sorted().map {
                    "\(argument)/\($0)"
                }
            } else {
                files.append(argument)
            }
        }
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            _ = data.withUnsafeBytes { entry($0.bindMemory(to: UInt8.self).baseAddress, $0.count) }
        }
        return files.count
    }
}

/// Traps with `message` unless `condition` holds: libFuzzer keeps the input as a crash.
public func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
}

/// Traps: a property of the code under test was broken.
public func fail(_ message: String) -> Never {
    fatalError("property broken: \(message)")
}
