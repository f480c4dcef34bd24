#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file, or standard input, read in chunks with plain `read(2)`: the bytes
/// as they are on disk, counted, so that progress can be shown against the
/// file's size.
final class InputFile {
    /// The path as given, or `standard input`.
    let name: String
    /// The size of a regular file; `nil` for standard input, pipes and devices.
    let size: Int64?
    /// Bytes read so far.
    private(set) var bytesRead: Int64 = 0
    private let descriptor: Int32
    private let ownsDescriptor: Bool

    /// Opens `path`; `-` is standard input.
    init(path: String) throws(OperatorToolError) {
        if path == "-" {
            name = "standard input"
            descriptor = STDIN_FILENO
            ownsDescriptor = false
        } else {
            name = path
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw .unreadableInput(path: path, reason: String(cString: strerror(errno)))
            }
            ownsDescriptor = true
        }
        var status = stat()
        if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG {
            size = Int64(status.st_size)
        } else {
            size = nil
        }
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// Reads up to `buffer.count` bytes; 0 at the end of the file.
    func readChunk(into buffer: UnsafeMutableRawBufferPointer) throws(OperatorToolError) -> Int {
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 {
                bytesRead += Int64(count)
                return count
            }
            if errno != EINTR {
                throw .unreadableInput(path: name, reason: String(cString: strerror(errno)))
            }
        }
    }
}
