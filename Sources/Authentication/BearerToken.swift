/// The token in an `authorization` value: `Bearer`, matched without regard to case, one or
/// more spaces, then a JWS in compact form (three base64url segments joined by dots) and
/// nothing else. A value longer than ``AuthenticationConfiguration/maximumTokenLength`` is
/// refused before any byte of the token is read.
enum BearerToken {
    /// Where the token is within `value`. Its characters are not checked yet: a token found
    /// in the cache was checked when it was first seen, so only a new one pays for `check`.
    static func locate(in value: UnsafeRawBufferPointer, maximumLength: Int) -> Result<Range<Int>, AccessDenied> {
        let scheme = "bearer".utf8
        guard value.count > scheme.count,
            zip(value, scheme).allSatisfy({ asciiLowercase($0) == $1 }),
            value[scheme.count] == UInt8(ascii: " ")
        else {
            let blank = value.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            return .failure(blank ? .missingToken : .malformed("the authorization header is not 'Bearer <token>'"))
        }
        var start = scheme.count
        while start < value.count, value[start] == UInt8(ascii: " ") { start += 1 }
        let length = value.count - start
        guard length > 0 else { return .failure(.missingToken) }
        guard length <= maximumLength else {
            return .failure(.malformed("it is \(length) bytes long; at most \(maximumLength) are accepted"))
        }
        return .success(start..<value.count)
    }

    /// Refuses a token with a character outside base64url and the dot, or without exactly
    /// three segments.
    static func check(_ token: UnsafeRawBufferPointer) -> AccessDenied? {
        var dots = 0
        for (index, byte) in token.enumerated() {
            if byte == UInt8(ascii: ".") {
                dots += 1
            } else if !isBase64URL(byte) {
                return .malformed("it holds a character outside base64url at byte \(index)")
            }
        }
        guard dots == 2 else { return .malformed("a JWT has three dot-separated parts; this one has \(dots + 1)") }
        return nil
    }

    @inline(__always)
    private static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }

    @inline(__always)
    private static func asciiLowercase(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }
}
