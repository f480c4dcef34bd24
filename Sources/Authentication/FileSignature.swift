#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What tells a file's versions apart without reading it: device, inode, size, and the
/// modification and change times in nanoseconds.
///
/// `stat` follows symbolic links, so a Kubernetes Secret or ConfigMap (whose files are links
/// into a folder swapped on update) is seen to change; Foundation's attributes do not follow
/// the last link, which is why this calls `stat` itself.
public struct FileSignature: Sendable, Equatable {
    private let device: UInt64
    private let inode: UInt64
    private let size: Int64
    private let modified: Int128
    private let changed: Int128

    /// The file's signature now; nil when it cannot be examined (absent, say).
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        #if canImport(Darwin)
        modified = Int128(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int128(info.st_mtimespec.tv_nsec)
        changed = Int128(info.st_ctimespec.tv_sec) * 1_000_000_000 + Int128(info.st_ctimespec.tv_nsec)
        #else
        modified = Int128(info.st_mtim.tv_sec) * 1_000_000_000 + Int128(info.st_mtim.tv_nsec)
        changed = Int128(info.st_ctim.tv_sec) * 1_000_000_000 + Int128(info.st_ctim.tv_nsec)
        #endif
    }
}
