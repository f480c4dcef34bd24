import CZlib

/// zlib's inflate over a gzip stream of one or more members (what `gzip`,
/// `pigz` and `cat a.gz b.gz` write), knowing where each member ends: a
/// stream that stops inside a member is truncated, and bytes after a member
/// start the next one.
///
/// Why by hand over zlib rather than through compress-nio: see the `CZlib`
/// target in Package.swift.
final class GzipInflater {
    /// zlib keeps pointers into its `z_stream`, so it must never move: it
    /// lives in its own allocation for the inflater's lifetime.
    private let stream: UnsafeMutablePointer<z_stream>
    /// Whether the last member seen so far is complete (its trailer checked).
    private(set) var isAtMemberEnd = false
    /// Whether any compressed byte was given yet.
    private var started = false
    /// The input's name, for errors.
    private let name: String

    init(name: String) throws(OperatorToolError) {
        self.name = name
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 16: the largest window, gzip header and trailer (not zlib's).
        let status = usp_inflate_init2(stream, 15 + 16)
        guard status == Z_OK else {
            // Freed here: `deinit` does not run for an instance whose init threw
            // before every stored property was set.
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw .corruptGzip(path: name, reason: "zlib could not start (status \(status))")
        }
        self.stream = stream
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compressed bytes consumed so far, over every member.
    private(set) var consumedInput: Int64 = 0

    /// Whether compressed input is left over from the last `inflate` call.
    var hasPendingInput: Bool { stream.pointee.avail_in > 0 }

    /// Takes a new buffer of compressed bytes; it must stay valid until
    /// `hasPendingInput` is false.
    func provide(_ input: UnsafeRawBufferPointer) {
        guard let base = input.baseAddress, input.count > 0 else { return }
        started = true
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UInt8.self))
        stream.pointee.avail_in = UInt32(input.count)
    }

    /// Decompresses pending input into `output`; returns how many bytes it
    /// wrote (0 when it needs more input).
    ///
    /// - Throws: `.corruptGzip` for bytes that are not gzip or fail its checksum.
    func inflate(into output: UnsafeMutableRawBufferPointer) throws(OperatorToolError) -> Int {
        guard hasPendingInput, let base = output.baseAddress, output.count > 0 else { return 0 }
        if isAtMemberEnd {
            // More bytes after a complete member: the next member begins.
            inflateReset(stream)
            isAtMemberEnd = false
        }
        stream.pointee.next_out = base.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_out = UInt32(output.count)
        let pendingBefore = stream.pointee.avail_in
        let status = CZlib.inflate(stream, Z_NO_FLUSH)
        consumedInput += Int64(pendingBefore - stream.pointee.avail_in)
        let written = output.count - Int(stream.pointee.avail_out)
        switch status {
        case Z_OK, Z_BUF_ERROR:
            // Progress, or none possible until more input arrives.
            return written
        case Z_STREAM_END:
            isAtMemberEnd = true
            return written
        default:
            let reason = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
            throw .corruptGzip(path: name, reason: reason)
        }
    }

    /// At the end of the compressed input: throws unless the stream ended on
    /// a member's end.
    func finish() throws(OperatorToolError) {
        if started && !isAtMemberEnd {
            throw .corruptGzip(path: name, reason: "it ends inside a gzip member (truncated)")
        }
    }
}
