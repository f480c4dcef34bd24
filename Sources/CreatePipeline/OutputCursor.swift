/// Appends bytes to a pre-sized output buffer, checking every write against its capacity.
struct OutputCursor {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    private(set) var count = 0

    init(base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    /// Moves past `byteCount` bytes already written by someone else.
    mutating func skip(_ byteCount: Int) {
        precondition(byteCount <= capacity - count, "entity output exceeds its computed bound")
        count += byteCount
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        precondition(count < capacity, "entity output exceeds its computed bound")
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(_ source: UnsafePointer<UInt8>, count byteCount: Int) {
        precondition(byteCount <= capacity - count, "entity output exceeds its computed bound")
        Self.copy(source, to: base + count, count: byteCount)
        count += byteCount
    }

    /// Appends the body's bytes `start..<end` (a value to echo). One of up to 32 bytes is
    /// copied as 32 bytes, four word moves with no branch on its length, when the body and
    /// this buffer both have 32 bytes there: the bytes past the value are overwritten by
    /// whatever is appended next (or lie past the end of the output).
    @inline(__always)
    mutating func append(_ lexer: JSONLexer, from start: Int, to end: Int) {
        let byteCount = end - start
        precondition(byteCount <= capacity - count, "entity output exceeds its computed bound")
        if byteCount <= 32, start + 32 <= lexer.end, capacity - count >= 32 {
            let from = UnsafeRawPointer(lexer.base + start)
            let to = UnsafeMutableRawPointer(base + count)
            for offset in stride(from: 0, to: 32, by: 8) {
                to.storeBytes(
                    of: from.loadUnaligned(fromByteOffset: offset, as: UInt64.self), toByteOffset: offset,
                    as: UInt64.self)
            }
        } else {
            (base + count).update(from: lexer.base + start, count: byteCount)
        }
        count += byteCount
    }

    /// Copies `byteCount` bytes between buffers that do not overlap. Most values and names
    /// are 8 to 32 bytes: a few word copies (the last one overlapping) instead of a call.
    @inline(__always)
    private static func copy(
        _ source: UnsafePointer<UInt8>, to destination: UnsafeMutablePointer<UInt8>, count byteCount: Int
    ) {
        guard byteCount >= 8, byteCount <= 32 else {
            destination.update(from: source, count: byteCount)
            return
        }
        let from = UnsafeRawPointer(source)
        let to = UnsafeMutableRawPointer(destination)
        var offset = 0
        while offset + 8 < byteCount {
            to.storeBytes(
                of: from.loadUnaligned(fromByteOffset: offset, as: UInt64.self), toByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        to.storeBytes(
            of: from.loadUnaligned(fromByteOffset: byteCount - 8, as: UInt64.self), toByteOffset: byteCount - 8,
            as: UInt64.self)
    }

    @inline(__always)
    mutating func append(_ text: StaticString) {
        append(text.utf8Start, count: text.utf8CodeUnitCount)
    }

    /// `"<name>":`, after a `,` unless `first`: a member name, with one bounds check.
    @inline(__always)
    mutating func appendMember(named name: StaticString, first: Bool) {
        let separator = first ? 0 : 1
        let nameCount = name.utf8CodeUnitCount
        precondition(separator + nameCount + 3 <= capacity - count, "entity output exceeds its computed bound")
        base[count] = UInt8(ascii: ",")
        count += separator
        base[count] = UInt8(ascii: "\"")
        count += 1
        Self.copy(name.utf8Start, to: base + count, count: nameCount)
        count += nameCount
        base[count] = UInt8(ascii: "\"")
        base[count + 1] = UInt8(ascii: ":")
        count += 2
    }

    /// Lets `body` write exactly `byteCount` bytes.
    @inline(__always)
    mutating func write(count byteCount: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Void) {
        precondition(byteCount <= capacity - count, "entity output exceeds its computed bound")
        body(base + count)
        count += byteCount
    }
}
