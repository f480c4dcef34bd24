/// The bytes of a backfill file in chunks, decompressed when the file is gzip.
///
/// Gzip is recognised by its magic bytes (`1f 8b`), whatever the file's name:
/// no JSON text starts with them, so a plain file is never taken for gzip.
final class DecodedInput {
    let file: InputFile
    private let inflater: GzipInflater?
    private let readStorage: ChunkStorage
    private let outputStorage: ChunkStorage
    private var readBuffer: UnsafeMutableRawBufferPointer { readStorage.bytes }
    private var outputBuffer: UnsafeMutableRawBufferPointer { outputStorage.bytes }
    /// Bytes of `readBuffer` not yet handed out (plain files only).
    private var pending: Range<Int> = 0..<0
    private var endOfFile = false

    /// Whether the file is gzip.
    var isGzip: Bool { inflater != nil }

    /// Bytes of the file (compressed, for gzip) behind the chunks handed out:
    /// what progress is measured by, since whole chunks are read ahead.
    var fileBytesConsumed: Int64 {
        inflater?.consumedInput ?? plainBytesHandedOut
    }
    private var plainBytesHandedOut: Int64 = 0

    static let chunkSize = 1 << 20

    init(file: InputFile) throws(OperatorToolError) {
        self.file = file
        readStorage = ChunkStorage(byteCount: Self.chunkSize)
        outputStorage = ChunkStorage(byteCount: Self.chunkSize)
        // Read at least the two magic bytes (a pipe may hand out one at a time).
        var count = 0
        while count < 2 {
            let read = try file.readChunk(into: UnsafeMutableRawBufferPointer(rebasing: readStorage.bytes[count...]))
            if read == 0 {
                endOfFile = true
                break
            }
            count += read
        }
        if count >= 2, readStorage.bytes[0] == 0x1f, readStorage.bytes[1] == 0x8b {
            let inflater = try GzipInflater(name: file.name)
            inflater.provide(UnsafeRawBufferPointer(rebasing: readStorage.bytes[0..<count]))
            self.inflater = inflater
        } else {
            inflater = nil
            pending = 0..<count
        }
    }

    /// The next chunk of (decompressed) bytes, valid until the next call;
    /// `nil` at the end.
    ///
    /// - Throws: a read error, or `.corruptGzip` for a gzip file that is
    ///   corrupt or truncated (detected at its end, after every complete
    ///   chunk before it was handed out).
    func nextChunk() throws(OperatorToolError) -> UnsafeRawBufferPointer? {
        guard let inflater else { return try nextPlainChunk() }
        while true {
            if !inflater.hasPendingInput {
                if endOfFile {
                    try inflater.finish()
                    return nil
                }
                let count = try file.readChunk(into: readBuffer)
                if count == 0 {
                    endOfFile = true
                    continue
                }
                inflater.provide(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
            }
            let written = try inflater.inflate(into: outputBuffer)
            if written > 0 {
                return UnsafeRawBufferPointer(rebasing: outputBuffer[0..<written])
            }
        }
    }

    private func nextPlainChunk() throws(OperatorToolError) -> UnsafeRawBufferPointer? {
        if pending.isEmpty {
            if endOfFile { return nil }
            let count = try file.readChunk(into: readBuffer)
            if count == 0 {
                endOfFile = true
                return nil
            }
            pending = 0..<count
        }
        defer { pending = 0..<0 }
        plainBytesHandedOut += Int64(pending.count)
        return UnsafeRawBufferPointer(rebasing: readBuffer[pending])
    }
}

/// A fixed buffer, freed with its owner.
private final class ChunkStorage {
    let bytes: UnsafeMutableRawBufferPointer

    init(byteCount: Int) {
        bytes = .allocate(byteCount: byteCount, alignment: 16)
    }

    deinit { bytes.deallocate() }
}
