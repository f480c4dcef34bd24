/// Writes the `201` entity: compact JSON in the contract's property order, assembled from
/// the validated body's own bytes (values are echoed, never re-encoded).
///
/// Runs only on a body the validator accepted, so it can walk nested objects without
/// re-checking them.
struct EntityWriter {
    let lexer: JSONLexer
    var output: OutputCursor

    /// An upper bound of how much longer the entity can be than the body: the added
    /// `@odata.type` and `id` members, separators, and both timestamps when not sent.
    /// Everything else is copied from the body or shorter than it (whitespace, dropped
    /// annotations and escaped names are not copied).
    static let maximumGrowth = 512

    /// Writes the entity for a body whose root values are `spans`.
    mutating func writeEntity(spans: UnsafeMutableBufferPointer<ValueSpan>, id: UUIDBytes, eventTime: GraphTimestamp) {
        output.append(##"{"@odata.type":"#microsoft.graph.userSecurityProfile","id":""##)
        output.write(count: UUIDBytes.formattedLength) { id.write(into: $0) }
        output.append("\"")
        let properties = EntitySchema.userSecurityProfile.properties
        for index in 0..<EntitySchema.Root.outputCount {
            output.append(",\"")
            output.append(properties[index].name)
            output.append("\":")
            let span = spans[index]
            switch index {
            case EntitySchema.Root.createdDateTime, EntitySchema.Root.lastModifiedDateTime:
                if span.isAbsentOrNull {
                    output.append("\"")
                    output.write(count: GraphTimestamp.formattedLength) { eventTime.write(into: $0) }
                    output.append("\"")
                } else {
                    copy(span)
                }
            case EntitySchema.Root.accounts where span.kind == .array:
                writeCollection(of: EntitySchema.userAccount, at: span.start)
            case EntitySchema.Root.vendorInformation where span.kind == .object:
                _ = writeObject(of: EntitySchema.securityVendorInformation, at: span.start)
            case EntitySchema.Root.tags where span.kind == .array:
                copyCompactly(span)
            default:
                copy(span)
            }
        }
        output.append("}")
    }

    private mutating func copy(_ span: ValueSpan) {
        output.append(lexer.base + span.start, count: span.end - span.start)
    }

    /// Copies a validated array or object without insignificant whitespace.
    private mutating func copyCompactly(_ span: ValueSpan) {
        var offset = span.start
        while offset < span.end {
            let byte = lexer[offset]
            switch byte {
            case 0x20, 0x0A, 0x0D, 0x09:
                offset += 1
            case UInt8(ascii: "\""):
                let stringEnd = lexer.endOfValidString(at: offset)
                output.append(lexer.base + offset, count: stringEnd - offset)
                offset = stringEnd
            default:
                output.append(byte)
                offset += 1
            }
        }
    }

    /// Writes the validated array of `type` objects whose `[` is at `start`.
    private mutating func writeCollection(of type: ComplexType, at start: Int) {
        output.append("[")
        var offset = lexer.skippingWhitespace(from: start + 1)
        var first = true
        while lexer[offset] != UInt8(ascii: "]") {
            if !first { output.append(",") }
            first = false
            offset = writeObject(of: type, at: offset)
            offset = lexer.skippingWhitespace(from: offset)
            if lexer[offset] == UInt8(ascii: ",") {
                offset = lexer.skippingWhitespace(from: offset + 1)
            }
        }
        output.append("]")
    }

    /// Writes the validated `type` object whose `{` is at `start`: `@odata.type` first when
    /// sent, then the declared properties present, in declared order. Returns the offset after its `}`.
    private mutating func writeObject(of type: ComplexType, at start: Int) -> Int {
        withUnsafeTemporaryAllocation(of: ValueSpan.self, capacity: EntitySchema.maximumPropertyCount) { spans in
            spans.initialize(repeating: .absent)
            var odataType = ValueSpan.absent
            var offset = lexer.skippingWhitespace(from: start + 1)
            while lexer[offset] != UInt8(ascii: "}") {
                let nameEnd = lexer.endOfValidString(at: offset)
                let name = StringToken(start: offset, end: nameEnd, hasEscapes: lexer.containsBackslash(offset + 1, nameEnd - 1))
                offset = lexer.skippingWhitespace(from: nameEnd)  // at ':'
                let valueStart = lexer.skippingWhitespace(from: offset + 1)
                let valueEnd = lexer.endOfValidValue(at: valueStart)
                let span = ValueSpan(kind: .string, start: valueStart, end: valueEnd, hasEscapes: false)
                switch classify(name, in: type) {
                case .property(let index): spans[index] = span
                case .odataType: odataType = span
                case .annotation, .unknown: break
                }
                offset = lexer.skippingWhitespace(from: valueEnd)
                if lexer[offset] == UInt8(ascii: ",") {
                    offset = lexer.skippingWhitespace(from: offset + 1)
                }
            }
            output.append("{")
            var first = true
            if odataType.kind != .absent {
                output.append(#""@odata.type":"#)
                copy(odataType)
                first = false
            }
            for index in type.properties.indices where spans[index].kind != .absent {
                output.append(first ? "\"" : ",\"")
                first = false
                output.append(type.properties[index].name)
                output.append("\":")
                copy(spans[index])
            }
            output.append("}")
            return offset + 1
        }
    }

    private func classify(_ name: StringToken, in type: ComplexType) -> MemberKind {
        guard name.hasEscapes else {
            return MemberKind.classify(lexer.base + name.contentStart, count: name.contentCount, in: type)
        }
        let decoded = lexer.decodedBytes(of: name)
        return decoded.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return .unknown }
            return MemberKind.classify(base, count: buffer.count, in: type)
        }
    }
}

extension JSONLexer {
    /// One past the closing quote of the valid string whose opening quote is at `start`.
    func endOfValidString(at start: Int) -> Int {
        var offset = start + 1
        while true {
            let byte = base[offset]
            if byte == UInt8(ascii: "\"") { return offset + 1 }
            offset += byte == UInt8(ascii: "\\") ? 2 : 1
        }
    }

    /// One past the end of the valid JSON value at `start`.
    func endOfValidValue(at start: Int) -> Int {
        switch base[start] {
        case UInt8(ascii: "\""):
            return endOfValidString(at: start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var offset = start
            repeat {
                switch base[offset] {
                case UInt8(ascii: "\""):
                    offset = endOfValidString(at: offset)
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                default: break
                }
                offset += 1
            } while depth > 0
            return offset
        default:
            var offset = start
            while offset < end {
                switch base[offset] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09: return offset
                default: offset += 1
                }
            }
            return offset
        }
    }

    func containsBackslash(_ from: Int, _ to: Int) -> Bool {
        var offset = from
        while offset < to {
            if base[offset] == UInt8(ascii: "\\") { return true }
            offset += 1
        }
        return false
    }
}

/// Appends bytes to a pre-sized output buffer, checking every write against its capacity.
struct OutputCursor {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    private(set) var count = 0

    init(base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base
        self.capacity = capacity
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
