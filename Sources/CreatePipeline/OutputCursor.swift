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
        (base + count).update(from: source, count: byteCount)
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
