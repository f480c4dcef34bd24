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
        var name = name
        return name.withUTF8 { name in
            NameBuilder.withName(fieldBytes: name.count, fieldCount: 0) { builder in
                builder.append(UnsafeRawBufferPointer(name))
            }
        }.formatted
    }

    /// ``nameBased(_:)`` of `"\(prefix)\0\(topic)\0\(partition)\0\(offset)"`: a record's
    /// coordinates after a prefix (a record's request id, say), written straight into the
    /// hashed buffer instead of through an interpolated string.
    public static func nameBased(_ prefix: StaticString, topic: String, partition: Int32, offset: Int64) -> String {
        var topic = topic
        return topic.withUTF8 { topic in
            NameBuilder.withName(fieldBytes: prefix.utf8CodeUnitCount + topic.count + 3 + 2 * 20, fieldCount: 0) {
                name in
                name.append(prefix)
                name.append("\0")
                name.append(UnsafeRawBufferPointer(topic))
                name.append("\0")
                name.append(decimal: Int64(partition))
                name.append("\0")
                name.append(decimal: offset)
            }
        }.formatted
    }

    /// The fixed namespace of this service's name-based ids (see docs/design.md, "Decisions the contract left open").
    static let projectNamespace = UUIDBytes(high: 0x9949_71a2_a0e8_42eb, low: 0x9c6b_26ed_741a_9c1e)

    /// The name-based (RFC 9562 version 5, SHA-1) UUID of `name` in `namespace`.
    static func nameBased(namespace: UUIDBytes, name: [UInt8]) -> UUIDBytes {
        var bytes: [UInt8] = []
        namespace.withBigEndianBytes { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: name)
        return bytes.withUnsafeBytes { nameBased(namespaceAndName: $0) }
    }

    /// The name-based UUID whose namespace's 16 bytes (big-endian) and name are `namespaceAndName`.
    static func nameBased(namespaceAndName: UnsafeRawBufferPointer) -> UUIDBytes {
        var hasher = Insecure.SHA1()
        hasher.update(bufferPointer: namespaceAndName)
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
        let output = UnsafeMutableRawPointer(destination)
        let first = Self.hexDigits(UInt32(truncatingIfNeeded: high >> 32))
        let second = Self.hexDigits(UInt32(truncatingIfNeeded: high))
        let third = Self.hexDigits(UInt32(truncatingIfNeeded: low >> 32))
        let fourth = Self.hexDigits(UInt32(truncatingIfNeeded: low))
        output.storeBytes(of: first.littleEndian, toByteOffset: 0, as: UInt64.self)
        output.storeBytes(of: UInt8(ascii: "-"), toByteOffset: 8, as: UInt8.self)
        output.storeBytes(of: UInt32(truncatingIfNeeded: second).littleEndian, toByteOffset: 9, as: UInt32.self)
        output.storeBytes(of: UInt8(ascii: "-"), toByteOffset: 13, as: UInt8.self)
        output.storeBytes(of: UInt32(truncatingIfNeeded: second >> 32).littleEndian, toByteOffset: 14, as: UInt32.self)
        output.storeBytes(of: UInt8(ascii: "-"), toByteOffset: 18, as: UInt8.self)
        output.storeBytes(of: UInt32(truncatingIfNeeded: third).littleEndian, toByteOffset: 19, as: UInt32.self)
        output.storeBytes(of: UInt8(ascii: "-"), toByteOffset: 23, as: UInt8.self)
        output.storeBytes(of: UInt32(truncatingIfNeeded: third >> 32).littleEndian, toByteOffset: 24, as: UInt32.self)
        output.storeBytes(of: fourth.littleEndian, toByteOffset: 28, as: UInt64.self)
    }

    /// The 8 lowercase hex digits of `value`, most significant first, as the bytes of a
    /// little-endian word (the first digit in the lowest byte): all 8 at once, no table.
    @inline(__always)
    static func hexDigits(_ value: UInt32) -> UInt64 {
        // One nibble a byte, least significant nibble in the lowest byte; then reversed.
        var nibbles = UInt64(value)
        nibbles = (nibbles | nibbles << 16) & 0x0000_FFFF_0000_FFFF
        nibbles = (nibbles | nibbles << 8) & 0x00FF_00FF_00FF_00FF
        nibbles = (nibbles | nibbles << 4) & 0x0F0F_0F0F_0F0F_0F0F
        nibbles = nibbles.byteSwapped
        // "0"–"9" is 0x30 + n; "a"–"f" is 0x27 more. n + 6 reaches 16 exactly when n >= 10.
        let letters = ((nibbles &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
        return nibbles &+ 0x3030_3030_3030_3030 &+ letters &* 0x27
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
