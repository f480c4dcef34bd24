import CreatePipeline
import Crypto

/// The `idempotency-key` a backfill gives a line: a name-based GUID (version 5,
/// the service's namespace) of `backfill:<line number>:<SHA-256 of the line's
/// bytes, lowercase hex>`.
///
/// So the same line at the same place in a file gets the same key on every
/// run, whatever the file's name, path or compression, and the worker turns
/// it into the same entity id (the key with the body's tenant). A line
/// corrected in place gets a new key; the other lines keep theirs. Two equal
/// lines are two events, as two equal records are. The line's bytes are those
/// produced as the record's value (without `\n` and a `\r` before it).
public enum BackfillKey {
    /// The key of line `number` (counting from 1) holding `bytes`.
    public static func idempotencyKey(line number: Int, bytes: [UInt8]) -> String {
        let digest = SHA256.hash(data: bytes)
        var hex = ""
        hex.reserveCapacity(SHA256.byteCount * 2)
        for byte in digest {
            hex.append(Self.hexDigits[Int(byte >> 4)])
            hex.append(Self.hexDigits[Int(byte & 0x0F)])
        }
        return GUID.nameBased("backfill:\(number):\(hex)")
    }

    private static let hexDigits = Array("0123456789abcdef")
}
