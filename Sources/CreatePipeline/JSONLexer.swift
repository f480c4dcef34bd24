/// Byte-level JSON tokens over a request body.
///
/// Written by hand rather than using Foundation's JSON because the pipeline needs what
/// Foundation's parser does not give: rejection of duplicate names and lone surrogates,
/// the exact bytes of every value (so values are echoed verbatim, never re-encoded or
/// coerced), no intermediate objects (speed: a few hundred nanoseconds per event), and
/// bounded work and memory on hostile input (no recursion on input depth).
struct JSONLexer {
    let base: UnsafePointer<UInt8>
    let end: Int

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.end = count
    }

    @inline(__always)
    subscript(offset: Int) -> UInt8 { base[offset] }

    /// The offset of the first byte at or after `offset` that is not JSON whitespace.
    @inline(__always)
    func skippingWhitespace(from offset: Int) -> Int {
        var offset = offset
        while offset < end {
            switch base[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return offset
            }
        }
        return offset
    }

    /// Scans the string whose opening quote is at `start`, validating its content.
    /// Content problems (bad UTF-8, bad escapes) are reported in the token, not thrown,
    /// so the caller can name the property; only a missing closing quote is fatal.
    ///
    /// Inlined for the common case, a string of plain ASCII ending at least 16 bytes before
    /// the body does; any other string continues in `scanStringContent`. 16 bytes at a time:
    /// most names and many values end within the first 16, so the loop's exit is predictable.
    @inline(__always)
    func scanString(at start: Int) throws(JSONSyntaxError) -> StringToken {
        var offset = start + 1
        while offset + 16 <= end {
            let index = firstAttention(inBlockAt: offset)
            if index < 16 {
                offset += index
                if base[offset] == UInt8(ascii: "\"") {
                    return StringToken(start: start, end: offset + 1, hasEscapes: false, problem: nil)
                }
                break
            }
            offset += 16
        }
        return try scanStringContent(of: start, from: offset)
    }

    /// Goes on scanning the string whose opening quote is at `start` from `offset`; the
    /// bytes before `offset` are plain (no escape, no problem).
    private func scanStringContent(of start: Int, from offset: Int) throws(JSONSyntaxError) -> StringToken {
        var offset = offset
        var hasEscapes = false
        var problem: StringProblem?
        while true {
            // Skip plain bytes (no quote, backslash, control or non-ASCII byte) 16 and then 8
            // at a time, landing on the first byte that needs attention.
            skipping: do {
                while offset + 16 <= end {
                    let index = firstAttention(inBlockAt: offset)
                    offset += index
                    if index < 16 { break skipping }
                }
                while offset + 8 <= end {
                    let attention = Self.attentionMask(word(at: offset))
                    if attention != 0 {
                        offset += attention.trailingZeroBitCount &>> 3
                        break skipping
                    }
                    offset += 8
                }
            }
            guard offset < end else {
                throw JSONSyntaxError(offset: start, reason: "a string is not terminated")
            }
            let byte = base[offset]
            switch byte {
            case UInt8(ascii: "\""):
                return StringToken(start: start, end: offset + 1, hasEscapes: hasEscapes, problem: problem)
            case UInt8(ascii: "\\"):
                hasEscapes = true
                let (length, escapeProblem) = try escapeSequence(at: offset)
                if problem == nil { problem = escapeProblem }
                offset += length
            case 0..<0x20:
                if problem == nil { problem = .controlCharacter }
                offset += 1
            case 0x20..<0x80:
                offset += 1
            default:
                if let length = utf8SequenceLength(at: offset) {
                    offset += length
                } else {
                    if problem == nil { problem = .invalidUTF8 }
                    offset += 1
                }
            }
        }
    }

    /// The 8 bytes at `offset` as a little-endian word: byte `offset + i` is bits `8i..<8i+8`.
    @inline(__always)
    func word(at offset: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self))
    }

    /// The index (0–15) of the first of the 16 bytes at `offset` that is `"`, `\`, below 0x20
    /// or above 0x7F; 16 when none is. With SSE2 or NEON: a few vector instructions for all 16.
    @inline(__always)
    func firstAttention(inBlockAt offset: Int) -> Int {
        let block = UnsafeRawPointer(base + offset).loadUnaligned(as: SIMD16<UInt8>.self)
        let quote = SIMD16<UInt8>(repeating: UInt8(ascii: "\""))
        let backslash = SIMD16<UInt8>(repeating: UInt8(ascii: "\\"))
        let space = SIMD16<Int8>(repeating: 0x20)
        // As signed bytes, 0x80–0xFF are negative: one comparison finds control and non-ASCII bytes.
        let attention = (block .== quote) .| (block .== backslash) .| (SIMD16<Int8>(truncatingIfNeeded: block) .< space)
        let flags = SIMD16<UInt8>(repeating: 0).replacing(with: SIMD16<UInt8>(repeating: 0xFF), where: attention)
        let lanes = unsafeBitCast(flags, to: SIMD2<UInt64>.self)
        let low = UInt64(littleEndian: lanes[0])
        let high = UInt64(littleEndian: lanes[1])
        if low != 0 { return low.trailingZeroBitCount &>> 3 }
        return 8 + high.trailingZeroBitCount &>> 3  // 16 when `high` is 0 too
    }

    /// The high bit of byte `i` of the result is set when byte `i` of `word` (little-endian)
    /// may be `"`, `\`, below 0x20 or above 0x7F; all other bits are clear.
    ///
    /// The lowest set bit is exact (that byte does need attention): a subtraction's borrow
    /// only runs towards higher bytes, so only bytes above a real match can be flagged wrongly.
    /// Zero when no byte needs attention.
    @inline(__always)
    static func attentionMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote
        let hasBackslash = (backslash &- ones) & ~backslash
        let hasControl = (word &- ones &* 0x20) & ~word
        return (hasQuote | hasBackslash | hasControl | word) & highBits
    }

    /// The length of the escape at `offset` (a backslash) and its problem, if any.
    /// Throws only when the input ends inside the escape.
    private func escapeSequence(at offset: Int) throws(JSONSyntaxError) -> (Int, StringProblem?) {
        guard offset + 1 < end else {
            throw JSONSyntaxError(offset: offset, reason: "a string is not terminated")
        }
        switch base[offset + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return (2, nil)
        case UInt8(ascii: "u"):
            guard let unit = hexQuad(at: offset + 2) else { return (2, .invalidEscape) }
            switch unit {
            case 0xD800...0xDBFF:
                if offset + 7 < end, base[offset + 6] == UInt8(ascii: "\\"), base[offset + 7] == UInt8(ascii: "u"),
                    let low = hexQuad(at: offset + 8), (0xDC00...0xDFFF).contains(low)
                {
                    return (12, nil)
                }
                return (6, .loneSurrogate)
            case 0xDC00...0xDFFF:
                return (6, .loneSurrogate)
            default:
                return (6, nil)
            }
        default:
            return (1, .invalidEscape)
        }
    }

    /// The value of the four hex digits at `offset`, or nil.
    @inline(__always)
    func hexQuad(at offset: Int) -> UInt32? {
        guard offset + 4 <= end else { return nil }
        var value: UInt32 = 0
        for index in offset..<offset + 4 {
            guard let digit = Self.hexDigitValue(base[index]) else { return nil }
            value = value << 4 | digit
        }
        return value
    }

    @inline(__always)
    static func hexDigitValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// The length of the well-formed UTF-8 sequence (RFC 3629: no overlongs, no surrogates,
    /// nothing above U+10FFFF) starting with the non-ASCII byte at `offset`, or nil.
    @inline(__always)
    func utf8SequenceLength(at offset: Int) -> Int? {
        let lead = base[offset]
        func continuation(_ index: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            index < end && range.contains(base[index])
        }
        switch lead {
        case 0xC2...0xDF:
            return continuation(offset + 1) ? 2 : nil
        case 0xE0...0xEF:
            let second: ClosedRange<UInt8> = lead == 0xE0 ? 0xA0...0xBF : (lead == 0xED ? 0x80...0x9F : 0x80...0xBF)
            return continuation(offset + 1, second) && continuation(offset + 2) ? 3 : nil
        case 0xF0...0xF4:
            let second: ClosedRange<UInt8> = lead == 0xF0 ? 0x90...0xBF : (lead == 0xF4 ? 0x80...0x8F : 0x80...0xBF)
            return continuation(offset + 1, second) && continuation(offset + 2) && continuation(offset + 3) ? 4 : nil
        default:
            return nil
        }
    }

    /// The end of the literal `literal` at `offset`, or a syntax error.
    @inline(__always)
    func scanLiteral(_ literal: StaticString, at offset: Int) throws(JSONSyntaxError) -> Int {
        let count = literal.utf8CodeUnitCount
        guard offset + count <= end, memoryEquals(literal.utf8Start, base + offset, count) else {
            throw JSONSyntaxError(offset: offset, reason: "unexpected characters")
        }
        return offset + count
    }

    /// The end of the number at `offset` (RFC 8259 grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`).
    /// Numbers are only ever checked for syntax: no declared property is a number.
    func scanNumber(at start: Int) throws(JSONSyntaxError) -> Int {
        var offset = start
        func isDigit(_ index: Int) -> Bool {
            index < end && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(base[index])
        }
        func digits() throws(JSONSyntaxError) {
            guard isDigit(offset) else { throw JSONSyntaxError(offset: offset, reason: "a number is malformed") }
            while isDigit(offset) { offset += 1 }
        }
        if offset < end, base[offset] == UInt8(ascii: "-") { offset += 1 }
        if offset < end, base[offset] == UInt8(ascii: "0") {
            offset += 1
        } else {
            try digits()
        }
        if offset < end, base[offset] == UInt8(ascii: ".") {
            offset += 1
            try digits()
        }
        if offset < end, base[offset] == UInt8(ascii: "e") || base[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < end, base[offset] == UInt8(ascii: "+") || base[offset] == UInt8(ascii: "-") { offset += 1 }
            try digits()
        }
        return offset
    }
}

extension JSONLexer {
    // Walking a string the validator has already accepted (for the entity writer).

    /// One past the closing quote of the valid string whose opening quote is at `start`.
    func endOfValidString(at start: Int) -> Int {
        var offset = start + 1
        while true {
            while offset + 8 <= end {
                let found = Self.quoteOrBackslashMask(word(at: offset))
                if found != 0 {
                    offset += found.trailingZeroBitCount &>> 3
                    break
                }
                offset += 8
            }
            let byte = base[offset]
            if byte == UInt8(ascii: "\"") { return offset + 1 }
            offset += byte == UInt8(ascii: "\\") ? 2 : 1
        }
    }

    /// Like `attentionMask`, for `"` and `\` only: the lowest set high bit marks the first one.
    @inline(__always)
    static func quoteOrBackslashMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        return (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)) & (ones &* 0x80)
    }
}
