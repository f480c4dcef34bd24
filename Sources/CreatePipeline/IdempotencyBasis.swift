import Crypto

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
    /// - Parameter tenant: the decoded `azureTenantId` (used by `.idempotencyKey` only).
    func entityID(tenant: UnsafeRawBufferPointer) -> UUIDBytes {
        GUID.nameBased(namespace: GUID.projectNamespace) { hasher in
            switch self {
            case .idempotencyKey(let key):
                hasher.update(text: "idempotency-key")
                hasher.update(field: tenant)
                hasher.update(field: key)
            case .record(let topic, let partition, let offset):
                hasher.update(text: "record")
                hasher.update(field: topic)
                hasher.update(decimalField: Int64(partition))
                hasher.update(decimalField: offset)
            case .named(let name):
                hasher.update(text: "named")
                hasher.update(field: name)
            }
        }
    }
}

extension Insecure.SHA1 {
    fileprivate mutating func update(text: StaticString) {
        update(bufferPointer: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    fileprivate mutating func update(field bytes: UnsafeRawBufferPointer) {
        update(decimal: Int64(bytes.count))
        update(text: ":")
        update(bufferPointer: bytes)
    }

    fileprivate mutating func update(field text: String) {
        var text = text
        text.withUTF8 { update(field: UnsafeRawBufferPointer($0)) }
    }

    fileprivate mutating func update(decimalField value: Int64) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            let count = DecimalFormatting.write(value, into: digits.baseAddress!)
            update(field: UnsafeRawBufferPointer(start: digits.baseAddress!, count: count))
        }
    }

    /// `:<decimal>` (the separator and length of a field).
    private mutating func update(decimal value: Int64) {
        update(text: ":")
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            let count = DecimalFormatting.write(value, into: digits.baseAddress!)
            update(bufferPointer: UnsafeRawBufferPointer(start: digits.baseAddress!, count: count))
        }
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
