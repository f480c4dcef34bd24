import Crypto

/// GUIDs as Graph prints them: 36 lowercase characters, `8-4-4-4-12` hex digits.
public enum GUID {
    /// A random (version 4) GUID, e.g. for a request id.
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = UUIDBytes(high: generator.next(), low: generator.next())
        bytes.setVersion(4)
        return bytes.formatted
    }

    /// A name-based (version 5) GUID of `name` in this service's namespace: the
    /// same name always gives the same GUID, so an id derived from a record's
    /// coordinates (a request id, say) is the same on every redelivery. Entity
    /// ids use length-prefixed names of their own, which no plain name equals.
    public static func nameBased(_ name: String) -> String {
        nameBased(namespace: projectNamespace) { hasher in
            var name = name
            name.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }.formatted
    }

    /// The fixed namespace of this service's name-based ids (see the README, "Decisions").
    static let projectNamespace = UUIDBytes(high: 0x9949_71a2_a0e8_42eb, low: 0x9c6b_26ed_741a_9c1e)

    /// A name-based (RFC 9562 version 5, SHA-1) UUID of the concatenated `nameParts` in `namespace`.
    static func nameBased(namespace: UUIDBytes, nameParts: (inout Insecure.SHA1) -> Void) -> UUIDBytes {
        var hasher = Insecure.SHA1()
        namespace.withBigEndianBytes { hasher.update(bufferPointer: $0) }
        nameParts(&hasher)
        let digest = hasher.finalize()
        var bytes = digest.withUnsafeBytes { digestBytes in
            UUIDBytes(high: digestBytes.loadBigEndianUInt64(at: 0), low: digestBytes.loadBigEndianUInt64(at: 8))
        }
        bytes.setVersion(5)
        return bytes
    }
}

/// The 128 bits of a UUID, most significant first.
struct UUIDBytes: Hashable, Sendable {
    var high: UInt64
    var low: UInt64

    /// Sets the version nibble and the RFC 9562 variant bits.
    mutating func setVersion(_ version: UInt64) {
        high = (high & ~0xF000) | (version << 12)
        low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
    }

    func withBigEndianBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        var bigEndian = (high.bigEndian, low.bigEndian)
        return withUnsafeBytes(of: &bigEndian) { body($0) }
    }

    static let formattedLength = 36

    /// Writes the 36 lowercase characters at `destination`.
    func write(into destination: UnsafeMutablePointer<UInt8>) {
        Self.writeHex(high >> 32, digits: 8, into: destination)
        destination[8] = UInt8(ascii: "-")
        Self.writeHex(high >> 16, digits: 4, into: destination + 9)
        destination[13] = UInt8(ascii: "-")
        Self.writeHex(high, digits: 4, into: destination + 14)
        destination[18] = UInt8(ascii: "-")
        Self.writeHex(low >> 48, digits: 4, into: destination + 19)
        destination[23] = UInt8(ascii: "-")
        Self.writeHex(low, digits: 12, into: destination + 24)
    }

    /// Writes the low `digits` nibbles of `value` as lowercase hex, most significant first.
    @inline(__always)
    private static func writeHex(_ value: UInt64, digits: Int, into destination: UnsafeMutablePointer<UInt8>) {
        var value = value
        var index = digits - 1
        while index >= 0 {
            let nibble = UInt8(truncatingIfNeeded: value & 0xF)
            // 0–9 → "0"–"9", 10–15 → "a"–"f", without a table or a branch.
            destination[index] = nibble &+ 0x30 &+ ((nibble &+ 6) &>> 4) &* 0x27
            value &>>= 4
            index -= 1
        }
    }

    var formatted: String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.formattedLength) { buffer in
            write(into: buffer.baseAddress!)
            return String(decoding: UnsafeBufferPointer(buffer), as: UTF8.self)
        }
    }
}

extension UnsafeRawBufferPointer {
    func loadBigEndianUInt64(at offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}
