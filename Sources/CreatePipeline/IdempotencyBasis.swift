/// Where a created entity's id comes from: the id is a pure function of the basis, so a
/// redelivered event yields the same id (and a byte-identical entity).
public enum IdempotencyBasis: Sendable, Hashable {
    /// The `idempotency-key` header. The id also depends on the body's `azureTenantId`
    /// (its decoded string value), so the same key in another tenant gives another id.
    case idempotencyKey(String)
    /// A Kafka record's coordinates.
    case record(topic: String, partition: Int32, offset: Int64)
    /// Any other stable name, e.g. `stdin:12` for the `process` command.
    case named(String)
}

extension IdempotencyBasis {
    /// The version 5 UUID for this basis.
    ///
    /// The name is the basis kind followed by each field as `:<decimal byte count>:<bytes>`,
    /// e.g. `record:28:userSecurityProfiles.create:1:3:3:417`: every field is length-prefixed,
    /// so no two different bases can produce the same name, whatever bytes the fields hold.
    /// The name is assembled in one buffer and hashed at once.
    /// - Parameter tenant: the decoded `azureTenantId` (used by `.idempotencyKey` only).
    func entityID(tenant: UnsafeRawBufferPointer) -> UUIDBytes {
        switch self {
        case .idempotencyKey(var key):
            key.withUTF8 { key in
                NameBuilder.withName(fieldBytes: tenant.count + key.count, fieldCount: 2) { name in
                    name.append("idempotency-key")
                    name.append(field: tenant)
                    name.append(field: UnsafeRawBufferPointer(key))
                }
            }
        case .record(var topic, let partition, let offset):
            topic.withUTF8 { topic in
                NameBuilder.withName(fieldBytes: topic.count + 2 * 20, fieldCount: 3) { name in
                    name.append("record")
                    name.append(field: UnsafeRawBufferPointer(topic))
                    name.append(decimalField: Int64(partition))
                    name.append(decimalField: offset)
                }
            }
        case .named(var text):
            text.withUTF8 { text in
                NameBuilder.withName(fieldBytes: text.count, fieldCount: 1) { name in
                    name.append("named")
                    name.append(field: UnsafeRawBufferPointer(text))
                }
            }
        }
    }
}

/// Writes a name-based UUID's name (after the project namespace) into one buffer.
struct NameBuilder {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private(set) var count: Int

    /// The UUID of the name `write` assembles, in the project namespace. `fieldBytes` and
    /// `fieldCount` bound the fields' bytes and number (a decimal field counts as 20 bytes).
    static func withName(fieldBytes: Int, fieldCount: Int, _ write: (inout NameBuilder) -> Void) -> UUIDBytes {
        // The namespace, a kind of at most 15 bytes, and each field's `:<count>:`.
        let capacity = 16 + 15 + fieldBytes + fieldCount * 22
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var name = NameBuilder(base: buffer.baseAddress!, capacity: capacity, count: 0)
            GUID.projectNamespace.withBigEndianBytes { name.append($0) }
            write(&name)
            return GUID.nameBased(
                namespaceAndName: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: name.count))
        }
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count <= capacity - count, "name exceeds its computed bound")
        if bytes.count > 0 {
            UnsafeMutableRawPointer(base + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        }
        count += bytes.count
    }

    mutating func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// `:<decimal byte count>:<bytes>`.
    mutating func append(field bytes: UnsafeRawBufferPointer) {
        append(":")
        append(decimal: Int64(bytes.count))
        append(":")
        append(bytes)
    }

    /// A field holding `value` in decimal.
    mutating func append(decimalField value: Int64) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            let digitCount = DecimalFormatting.write(value, into: digits.baseAddress!)
            append(field: UnsafeRawBufferPointer(start: digits.baseAddress!, count: digitCount))
        }
    }

    /// `value` in decimal, no length prefix.
    mutating func append(decimal value: Int64) {
        precondition(20 <= capacity - count, "name exceeds its computed bound")
        count += DecimalFormatting.write(value, into: base + count)
    }
}

/// Decimal digits without Foundation or String allocation.
enum DecimalFormatting {
    /// Writes `value` in decimal (with `-` when negative) at `destination` (room for 20 bytes) and returns the byte count.
    static func write(_ value: Int64, into destination: UnsafeMutablePointer<UInt8>) -> Int {
        var magnitude = value.magnitude
        var reversed: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &reversed) { scratch in
            var digitCount = 0
            repeat {
                scratch[digitCount] = UInt8(truncatingIfNeeded: 0x30 + magnitude % 10)
                magnitude /= 10
                digitCount += 1
            } while magnitude > 0
            var written = 0
            if value < 0 {
                destination[0] = UInt8(ascii: "-")
                written = 1
            }
            while digitCount > 0 {
                digitCount -= 1
                destination[written] = scratch[digitCount]
                written += 1
            }
            return written
        }
    }
}
