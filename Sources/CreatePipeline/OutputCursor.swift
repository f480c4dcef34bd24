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
        let destination = base + count
        if byteCount >= 8, byteCount <= 32 {
            // Most values and names: a few word copies, the last one overlapping, instead of a call.
            let from = UnsafeRawPointer(source)
            let to = UnsafeMutableRawPointer(destination)
            var offset = 0
            while offset + 8 < byteCount {
                to.storeBytes(of: from.loadUnaligned(fromByteOffset: offset, as: UInt64.self), toByteOffset: offset, as: UInt64.self)
                offset += 8
            }
            to.storeBytes(
                of: from.loadUnaligned(fromByteOffset: byteCount - 8, as: UInt64.self), toByteOffset: byteCount - 8,
                as: UInt64.self)
        } else {
            destination.update(from: source, count: byteCount)
        }
        count += byteCount
    }

    @inline(__always)
    mutating func append(_ text: StaticString) {
        append(text.utf8Start, count: text.utf8CodeUnitCount)
    }

    /// Lets `body` write exactly `byteCount` bytes.
    @inline(__always)
    mutating func write(count byteCount: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Void) {
        precondition(byteCount <= capacity - count, "entity output exceeds its computed bound")
        body(base + count)
        count += byteCount
    }
}
