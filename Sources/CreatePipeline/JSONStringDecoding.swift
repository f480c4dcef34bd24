extension JSONLexer {
    /// The UTF-8 bytes a string token stands for, escapes resolved.
    /// Only for tokens without a content problem; the hot path avoids it by using raw bytes
    /// whenever a token has no escapes.
    func decodedBytes(of token: StringToken) -> [UInt8] {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(token.contentCount)
        var offset = token.contentStart
        let contentEnd = token.end - 1
        while offset < contentEnd {
            let byte = base[offset]
            guard byte == UInt8(ascii: "\\") else {
                decoded.append(byte)
                offset += 1
                continue
            }
            let escaped = base[offset + 1]
            offset += 2
            switch escaped {
            case UInt8(ascii: "b"): decoded.append(0x08)
            case UInt8(ascii: "f"): decoded.append(0x0C)
            case UInt8(ascii: "n"): decoded.append(0x0A)
            case UInt8(ascii: "r"): decoded.append(0x0D)
            case UInt8(ascii: "t"): decoded.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hexQuad(at: offset) ?? 0xFFFD
                offset += 4
                if (0xD800...0xDBFF).contains(scalar), let low = hexQuad(at: offset + 2) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    offset += 6
                }
                appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}", to: &decoded)
            default: decoded.append(escaped)  // " \ /
            }
        }
        return decoded
    }

    /// The decoded text of a string token, with invalid sequences repaired (for error messages).
    func lossyText(of token: StringToken) -> String {
        if token.problem == nil {
            return String(decoding: decodedBytes(of: token), as: UTF8.self)
        }
        return String(
            decoding: UnsafeBufferPointer(start: base + token.contentStart, count: token.contentCount), as: UTF8.self)
    }

    private func appendUTF8(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) {
        var buffer = (UInt8(0), UInt8(0), UInt8(0), UInt8(0))
        var count = 0
        withUnsafeMutableBytes(of: &buffer) { raw in
            UTF8.encode(scalar) { unit in
                raw[count] = unit
                count += 1
            }
            bytes.append(contentsOf: raw.prefix(count))
        }
    }
}
