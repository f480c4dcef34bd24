import Foundation

/// A folder of its own under the temporary directory, for key and allow-list files.
public struct TestFolder: Sendable {
    public let path: String

    public init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("usp-auth-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Writes `contents` to `name` by renaming a complete file over it, as a key rotation should.
    @discardableResult
    public func write(_ name: String, _ contents: some DataProtocol) throws -> String {
        let target = file(name)
        let temporary = file(".\(name).\(UUID().uuidString)")
        try Data(contents).write(to: URL(fileURLWithPath: temporary))
        // rename(2) replaces the target atomically (FileManager's replace needs it to exist).
        guard rename(temporary, target) == 0 else { throw CocoaError(.fileWriteUnknown) }
        return target
    }

    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String { try write(name, Data(text.utf8)) }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
