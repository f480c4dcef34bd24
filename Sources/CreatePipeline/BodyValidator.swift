/// Validates a request body against the userSecurityProfile schema in one pass, recording
/// where each root property's value sits and every problem found.
///
/// It also writes the entity's `accounts` value as it goes (each account reordered, without
/// annotations): `accounts` is the entity's first property after fixed-length ones, so its
/// place in the output is known before the body is read, and the accounts need no second walk.
/// The accounts output is never longer than the accounts in the body (see `EntityWriter`).
///
/// The schema's own nesting is fixed (root → accounts[i] / vendorInformation), so the
/// validator's recursion is bounded by the schema, not by the input; arbitrary values
/// (annotations, unknown properties, wrongly typed values) are skipped by an iterative
/// scanner with a depth limit.
struct BodyValidator {
    /// The deepest nesting accepted inside a value the schema does not describe.
    static let maximumNestingDepth = 64

    let lexer: JSONLexer
    var problems = ProblemList()
    /// Where the entity's `accounts` value is written.
    var accountsOutput: OutputCursor
    /// The members of the root's complex property (`vendorInformation`), indexed like its
    /// type's properties, with `@odata.type` last.
    let complexPropertySpans: UnsafeMutableBufferPointer<ValueSpan>

    init(lexer: JSONLexer, accountsOutput: OutputCursor, complexPropertySpans: UnsafeMutableBufferPointer<ValueSpan>) {
        self.lexer = lexer
        self.accountsOutput = accountsOutput
        self.complexPropertySpans = complexPropertySpans
    }

    private var end: Int { lexer.end }

    /// Validates the whole body, recording the root properties' values in `spans`
    /// (indexed like `EntitySchema.userSecurityProfile.properties`, `@odata.type` last).
    /// Throws when the body is not JSON; schema problems are collected in `problems`.
    mutating func validateBody(spans: UnsafeMutableBufferPointer<ValueSpan>) throws(JSONSyntaxError) {
        var offset = lexer.skippingWhitespace(from: 0)
        guard offset < end else { throw JSONSyntaxError(offset: offset, reason: "the body has no JSON value") }
        if lexer[offset] == UInt8(ascii: "{") {
            offset = try validateObject(
                at: offset, type: EntitySchema.userSecurityProfile, location: .root, spans: spans)
        } else {
            problems.bodyIsNotAnObject()
            offset = try skipValue(at: offset, target: nil)
        }
        offset = lexer.skippingWhitespace(from: offset)
        guard offset == end else {
            throw JSONSyntaxError(offset: offset, reason: "bytes follow the JSON value")
        }
    }

    // MARK: Objects of the schema

    /// Validates the object whose `{` is at `start` as a `type`; returns the offset after its `}`.
    /// Records the first occurrence of each member in `spans` (declared properties by index,
    /// `@odata.type` at `type.properties.count`).
    private mutating func validateObject(
        at start: Int, type: ComplexType, location: ObjectLocation, spans: UnsafeMutableBufferPointer<ValueSpan>?
    ) throws(JSONSyntaxError) -> Int {
        let lexer = self.lexer  // a copy the error-path closures can read while `self` changes
        var seenProperties: UInt32 = 0
        var seenODataType = false
        var nextPropertyGuess = 0
        var otherNames: Set<[UInt8]> = []  // annotations and unknown names, for duplicate detection
        var offset = lexer.skippingWhitespace(from: start + 1)
        if offset < end, lexer[offset] == UInt8(ascii: "}") {
            reportMissingProperties(of: type, seen: seenProperties, location: location)
            return offset + 1
        }
        while true {
            guard offset < end, lexer[offset] == UInt8(ascii: "\"") else {
                throw JSONSyntaxError(offset: offset, reason: "expected a property name")
            }
            // Bodies usually list properties in declared order: the name is first compared
            // with the names expected there, and scanned only when it is another.
            let name: StringToken
            var guessedKind: MemberKind?
            if let expected = type.expectedMember(at: offset, next: nextPropertyGuess, in: lexer) {
                name = StringToken(start: offset, end: expected.end, hasEscapes: false, problem: nil)
                guessedKind = expected.kind
            } else {
                name = try lexer.scanString(at: offset)
            }
            offset = try valueStart(afterName: name)

            if let problem = name.problem {
                problems.invalidName(problem, target: location.path(lexer.lossyText(of: name)))
                offset = try skipValue(at: offset, target: location.path(lexer.lossyText(of: name)))
            } else {
                let memberKind = guessedKind ?? classify(name, in: type, firstGuess: nextPropertyGuess)
                switch memberKind {
                case .property(let index):
                    nextPropertyGuess = index + 1
                    let property = type.properties[index]
                    let bit: UInt32 = 1 << UInt32(index)
                    var span = ValueSpan.absent
                    if seenProperties & bit != 0 {
                        problems.duplicateProperty(location.path(property.nameString))
                        offset = try validateValue(
                            at: offset, of: property, location: location, isFirst: false, span: &span)
                    } else if property.kind.isString, lexer[offset] == UInt8(ascii: "\"") {
                        // The common case, a string value of a string property, without a call.
                        seenProperties |= bit
                        let token = try lexer.scanString(at: offset)
                        checkStringValue(token, of: property, location: location)
                        spans?[index] = ValueSpan(
                            kind: .string, start: token.start, end: token.end, hasEscapes: token.hasEscapes)
                        offset = token.end
                    } else {
                        seenProperties |= bit
                        offset = try validateValue(
                            at: offset, of: property, location: location, isFirst: true, span: &span)
                        spans?[index] = span
                    }
                case .odataType:
                    if seenODataType {
                        problems.duplicateProperty(location.path("@odata.type"))
                    }
                    let valueStart = offset
                    offset = try validateODataType(at: offset, of: type, location: location)
                    if !seenODataType {
                        spans?[type.properties.count] = ValueSpan(
                            kind: .string, start: valueStart, end: offset, hasEscapes: false)
                    }
                    seenODataType = true
                case .annotation, .unknown:
                    let decodedName = lexer.decodedBytes(of: name)
                    let isAnnotation = memberKind == .annotation
                    if !otherNames.insert(decodedName).inserted {
                        problems.duplicateProperty(location.path(lexer.lossyText(of: name)))
                    }
                    if !isAnnotation {
                        problems.unknownProperty(location.path(lexer.lossyText(of: name)), of: type)
                    }
                    offset = try skipValue(at: offset, target: location.path(lexer.lossyText(of: name)))
                }
            }

            // Compact JSON: a comma right after the value, the next name right after the comma.
            if offset + 1 < end, lexer[offset] == UInt8(ascii: ","), lexer[offset + 1] > 0x20 {
                offset += 1
                continue
            }
            offset = lexer.skippingWhitespace(from: offset)
            guard offset < end else { throw JSONSyntaxError(offset: offset, reason: "an object is not closed") }
            if lexer[offset] == UInt8(ascii: ",") {
                offset = lexer.skippingWhitespace(from: offset + 1)
                continue
            }
            guard lexer[offset] == UInt8(ascii: "}") else {
                throw JSONSyntaxError(offset: offset, reason: "expected ',' or '}' in an object")
            }
            reportMissingProperties(of: type, seen: seenProperties, location: location)
            return offset + 1
        }
    }

    /// The offset of the value after a member name: skips `:` and whitespace.
    @inline(__always)
    private func valueStart(afterName name: StringToken) throws(JSONSyntaxError) -> Int {
        // Compact JSON: the colon right after the name, the value right after the colon.
        if name.end + 1 < end, lexer[name.end] == UInt8(ascii: ":"), lexer[name.end + 1] > 0x20 {
            return name.end + 1
        }
        let colon = lexer.skippingWhitespace(from: name.end)
        guard colon < end, lexer[colon] == UInt8(ascii: ":") else {
            throw JSONSyntaxError(offset: colon, reason: "expected ':' after a property name")
        }
        let value = lexer.skippingWhitespace(from: colon + 1)
        guard value < end else { throw JSONSyntaxError(offset: value, reason: "a property has no value") }
        return value
    }

    @inline(__always)
    private func classify(_ name: StringToken, in type: ComplexType, firstGuess: Int = 0) -> MemberKind {
        guard name.hasEscapes else {
            return MemberKind.classify(
                lexer.base + name.contentStart, count: name.contentCount, in: type, firstGuess: firstGuess)
        }
        let decoded = lexer.decodedBytes(of: name)
        return decoded.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return .unknown }
            return MemberKind.classify(base, count: buffer.count, in: type)
        }
    }

    private mutating func reportMissingProperties(of type: ComplexType, seen: UInt32, location: ObjectLocation) {
        var missing = type.requiredMask & ~seen
        while missing != 0 {
            let index = missing.trailingZeroBitCount
            missing &= missing - 1
            problems.missingProperty(location.path(type.properties[index].nameString))
        }
    }

    /// `@odata.type` must be a string naming `type`, with or without a leading `#`.
    private mutating func validateODataType(
        at offset: Int, of type: ComplexType, location: ObjectLocation
    ) throws(JSONSyntaxError) -> Int {
        guard lexer[offset] == UInt8(ascii: "\"") else {
            let path = location.path("@odata.type")
            problems.wrongType(path, expected: "a string naming '\(type.qualifiedName)'")
            return try skipValue(at: offset, target: path)
        }
        // The common case, the type's name exactly (with or without `#`), without a scan.
        let nameCount = type.qualifiedName.utf8CodeUnitCount
        var nameStart = offset + 1
        if nameStart < end, lexer[nameStart] == UInt8(ascii: "#") { nameStart += 1 }
        if nameStart + nameCount < end, memoryEquals(type.qualifiedName.utf8Start, lexer.base + nameStart, nameCount),
            lexer[nameStart + nameCount] == UInt8(ascii: "\"")
        {
            return nameStart + nameCount + 1
        }
        let token = try lexer.scanString(at: offset)
        if let problem = token.problem {
            problems.invalidStringValue(problem, path: location.path("@odata.type"))
            return token.end
        }
        let matches: Bool
        if token.hasEscapes {
            let decoded = lexer.decodedBytes(of: token)
            matches = decoded.withUnsafeBufferPointer { Self.names(type, $0.baseAddress, $0.count) }
        } else {
            matches = Self.names(type, lexer.base + token.contentStart, token.contentCount)
        }
        if !matches {
            problems.otherODataType(location.path("@odata.type"), of: type, text: lexer.lossyText(of: token))
        }
        return token.end
    }

    /// Whether the text names `type` (`microsoft.graph.userAccount` or `#microsoft.graph.userAccount`).
    private static func names(_ type: ComplexType, _ text: UnsafePointer<UInt8>?, _ count: Int) -> Bool {
        guard var text, count > 0 else { return false }
        var count = count
        if text[0] == UInt8(ascii: "#") {
            text += 1
            count -= 1
        }
        return count == type.qualifiedName.utf8CodeUnitCount && memoryEquals(type.qualifiedName.utf8Start, text, count)
    }

    // MARK: Values of declared properties

    /// Validates the value at `offset` of the declared `property`; returns the offset after it.
    /// `isFirst`: this is the property's first occurrence in its object (later ones are
    /// reported as duplicates and not recorded or written).
    private mutating func validateValue(
        at offset: Int, of property: PropertyDefinition, location: ObjectLocation, isFirst: Bool, span: inout ValueSpan
    ) throws(JSONSyntaxError) -> Int {
        let byte = lexer[offset]
        if byte == UInt8(ascii: "n") {
            return try validateNull(at: offset, of: property, location: location, isFirst: isFirst, span: &span)
        }
        switch property.kind {
        case .string, .nonNullableString, .dateTimeOffset, .serviceDefaultedDateTimeOffset:
            guard byte == UInt8(ascii: "\"") else { break }
            let token = try lexer.scanString(at: offset)
            span = ValueSpan(kind: .string, start: token.start, end: token.end, hasEscapes: token.hasEscapes)
            checkStringValue(token, of: property, location: location)
            return token.end

        case .stringCollection:
            guard byte == UInt8(ascii: "[") else { break }
            let valueEnd = try validateArray(at: offset) { validator, itemOffset, index throws(JSONSyntaxError) in
                try validator.validateStringItem(at: itemOffset, path: location.path(property.nameString, index: index))
            }
            span = ValueSpan(kind: .array, start: offset, end: valueEnd, hasEscapes: false)
            return valueEnd

        case .complex(let typeName):
            guard byte == UInt8(ascii: "{") else { break }
            let valueEnd = try validateObject(
                at: offset, type: typeName.type, location: .rootProperty(property.name),
                spans: isFirst ? complexPropertySpans : nil)
            span = ValueSpan(kind: .object, start: offset, end: valueEnd, hasEscapes: false)
            return valueEnd

        case .complexCollection(let typeName):
            guard byte == UInt8(ascii: "[") else { break }
            let valueEnd = try validateAccounts(
                at: offset, of: property, itemType: typeName.type, location: location, writing: isFirst)
            span = ValueSpan(kind: .array, start: offset, end: valueEnd, hasEscapes: false)
            return valueEnd

        case .serviceAssigned:
            problems.serviceAssignedProperty(location.path(property.nameString))
            return try skipValue(at: offset, target: location.path(property.nameString))
        }
        let path = location.path(property.nameString)
        problems.wrongType(path, expected: property.kind.expectation)
        return try skipValue(at: offset, target: path)
    }

    /// A `null` value of a declared property: allowed unless the property is non-nullable
    /// or service-assigned; the accounts output gets `null` for a null collection of objects.
    private mutating func validateNull(
        at offset: Int, of property: PropertyDefinition, location: ObjectLocation, isFirst: Bool, span: inout ValueSpan
    ) throws(JSONSyntaxError) -> Int {
        let valueEnd = try lexer.scanLiteral("null", at: offset)
        span = ValueSpan(kind: .null, start: offset, end: valueEnd, hasEscapes: false)
        switch property.kind {
        case .complexCollection where isFirst: accountsOutput.append("null")
        case .nonNullableString: problems.nullValue(location.path(property.nameString))
        case .serviceAssigned: problems.serviceAssignedProperty(location.path(property.nameString))
        default: break
        }
        return valueEnd
    }

    /// Validates the array of `itemType` objects at `offset` (the root's only collection of
    /// objects, `accounts`) and, when `writing` (its first occurrence), writes each item to the
    /// accounts output as `EntityWriter` orders it; returns the offset after the array.
    private mutating func validateAccounts(
        at offset: Int, of property: PropertyDefinition, itemType: ComplexType, location: ObjectLocation, writing: Bool
    ) throws(JSONSyntaxError) -> Int {
        if writing { accountsOutput.append("[") }
        var writtenItems = 0
        let valueEnd = try withUnsafeTemporaryAllocation(
            of: ValueSpan.self, capacity: EntitySchema.maximumPropertyCount + 1
        ) { itemSpans throws(JSONSyntaxError) in
            try validateArray(at: offset) { validator, itemOffset, index throws(JSONSyntaxError) in
                switch validator.lexer[itemOffset] {
                case UInt8(ascii: "{"):
                    itemSpans.initialize(repeating: .absent)
                    let itemEnd = try validator.validateObject(
                        at: itemOffset, type: itemType, location: .rootCollectionItem(property.name, index: index),
                        spans: itemSpans)
                    if writing {
                        if writtenItems > 0 { validator.accountsOutput.append(",") }
                        EntityWriter.writeObject(
                            of: itemType, members: itemSpans, from: validator.lexer, to: &validator.accountsOutput)
                        writtenItems += 1
                    }
                    return itemEnd
                case UInt8(ascii: "n"):
                    validator.problems.nullCollectionItem(location.path(property.nameString, index: index))
                    return try validator.lexer.scanLiteral("null", at: itemOffset)
                default:
                    let path = location.path(property.nameString, index: index)
                    validator.problems.wrongType(path, expected: "a '\(itemType.qualifiedName)' object")
                    return try validator.skipValue(at: itemOffset, target: path)
                }
            }
        }
        if writing { accountsOutput.append("]") }
        return valueEnd
    }

    /// Reports a string value's content problem, or a DateTimeOffset property's value that is not one.
    @inline(__always)
    private mutating func checkStringValue(
        _ token: StringToken, of property: PropertyDefinition, location: ObjectLocation
    ) {
        if let problem = token.problem {
            problems.invalidStringValue(problem, path: location.path(property.nameString))
        } else if property.kind.isDateTimeOffset, !isDateTimeOffset(token) {
            problems.invalidDateTimeOffset(location.path(property.nameString), text: lexer.lossyText(of: token))
        }
    }

    private mutating func validateStringItem(at offset: Int, path: @autoclosure () -> String) throws(JSONSyntaxError)
        -> Int
    {
        switch lexer[offset] {
        case UInt8(ascii: "\""):
            let token = try lexer.scanString(at: offset)
            if let problem = token.problem { problems.invalidStringValue(problem, path: path()) }
            return token.end
        case UInt8(ascii: "n"):
            problems.nullCollectionItem(path())
            return try lexer.scanLiteral("null", at: offset)
        default:
            problems.wrongType(path(), expected: "a String")
            return try skipValue(at: offset, target: path())
        }
    }

    /// Validates the array whose `[` is at `start`, each item with `validateItem(self, offset, index)`.
    private mutating func validateArray(
        at start: Int,
        validateItem: (inout BodyValidator, Int, Int) throws(JSONSyntaxError) -> Int
    ) throws(JSONSyntaxError) -> Int {
        var offset = lexer.skippingWhitespace(from: start + 1)
        if offset < end, lexer[offset] == UInt8(ascii: "]") { return offset + 1 }
        var index = 0
        while true {
            guard offset < end else { throw JSONSyntaxError(offset: offset, reason: "an array is not closed") }
            offset = try validateItem(&self, offset, index)
            offset = lexer.skippingWhitespace(from: offset)
            guard offset < end else { throw JSONSyntaxError(offset: offset, reason: "an array is not closed") }
            if lexer[offset] == UInt8(ascii: ",") {
                offset = lexer.skippingWhitespace(from: offset + 1)
                index += 1
                continue
            }
            guard lexer[offset] == UInt8(ascii: "]") else {
                throw JSONSyntaxError(offset: offset, reason: "expected ',' or ']' in an array")
            }
            return offset + 1
        }
    }

    private func isDateTimeOffset(_ token: StringToken) -> Bool {
        guard token.hasEscapes else {
            return DateTimeOffsetFormat.isValid(lexer.base + token.contentStart, count: token.contentCount)
        }
        let decoded = lexer.decodedBytes(of: token)
        return decoded.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return false }
            return DateTimeOffsetFormat.isValid(base, count: buffer.count)
        }
    }

    // MARK: Values the schema does not describe

    /// Skips any JSON value at `start` (checking its syntax and its strings' content, reported
    /// against `target`), without recursion; returns the offset after it.
    mutating func skipValue(at start: Int, target: @autoclosure () -> String?) throws(JSONSyntaxError) -> Int {
        var offset = start
        var depth = 0
        var objectLevels: UInt64 = 0  // bit d set when the container at depth d+1 is an object
        while true {
            // A value starts at `offset`.
            guard offset < end else { throw JSONSyntaxError(offset: offset, reason: "a value is missing") }
            switch lexer[offset] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = lexer[offset] == UInt8(ascii: "{")
                guard depth < Self.maximumNestingDepth else {
                    throw JSONSyntaxError(
                        offset: offset, reason: "values nest deeper than \(Self.maximumNestingDepth) levels",
                        code: .nestingTooDeep)
                }
                let bit: UInt64 = 1 << UInt64(depth)
                objectLevels = isObject ? objectLevels | bit : objectLevels & ~bit
                depth += 1
                offset = lexer.skippingWhitespace(from: offset + 1)
                let closer = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if offset < end, lexer[offset] == closer {
                    offset += 1
                    depth -= 1
                } else {
                    if isObject { offset = try skipMemberName(at: offset, target: target()) }
                    continue
                }
            case UInt8(ascii: "\""):
                let token = try lexer.scanString(at: offset)
                if let problem = token.problem {
                    problems.invalidStringInSkippedValue(problem, target: target())
                }
                offset = token.end
            case UInt8(ascii: "t"):
                offset = try lexer.scanLiteral("true", at: offset)
            case UInt8(ascii: "f"):
                offset = try lexer.scanLiteral("false", at: offset)
            case UInt8(ascii: "n"):
                offset = try lexer.scanLiteral("null", at: offset)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                offset = try lexer.scanNumber(at: offset)
            default:
                throw JSONSyntaxError(offset: offset, reason: "unexpected characters")
            }
            // A value ended at `offset`: close containers until one continues.
            closing: while true {
                if depth == 0 { return offset }
                offset = lexer.skippingWhitespace(from: offset)
                guard offset < end else { throw JSONSyntaxError(offset: offset, reason: "a container is not closed") }
                let inObject = objectLevels & (1 << UInt64(depth - 1)) != 0
                let byte = lexer[offset]
                if byte == UInt8(ascii: ",") {
                    offset = lexer.skippingWhitespace(from: offset + 1)
                    if inObject { offset = try skipMemberName(at: offset, target: target()) }
                    break closing
                }
                guard byte == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw JSONSyntaxError(offset: offset, reason: "expected ',' or a closing bracket")
                }
                offset += 1
                depth -= 1
            }
        }
    }

    /// Skips a member name and its `:`; returns the offset of the member's value.
    private mutating func skipMemberName(at offset: Int, target: @autoclosure () -> String?) throws(JSONSyntaxError)
        -> Int
    {
        guard offset < end, lexer[offset] == UInt8(ascii: "\"") else {
            throw JSONSyntaxError(offset: offset, reason: "expected a property name")
        }
        let name = try lexer.scanString(at: offset)
        if let problem = name.problem {
            problems.invalidName(problem, target: target())
        }
        return try valueStart(afterName: name)
    }
}

extension ValueKind {
    /// A string property (a string value is checked alike for all of these).
    var isString: Bool {
        switch self {
        case .string, .nonNullableString, .dateTimeOffset, .serviceDefaultedDateTimeOffset: true
        default: false
        }
    }

    var isDateTimeOffset: Bool {
        switch self {
        case .dateTimeOffset, .serviceDefaultedDateTimeOffset: true
        default: false
        }
    }

    /// What a value of this kind must be, for messages.
    var expectation: String {
        switch self {
        case .string: "a String or null"
        case .nonNullableString: "a String"
        case .dateTimeOffset, .serviceDefaultedDateTimeOffset: "a DateTimeOffset string or null"
        case .stringCollection: "an array of Strings or null"
        case .complex(let name): "a '\(name.type.qualifiedName)' object or null"
        case .complexCollection(let name): "an array of '\(name.type.qualifiedName)' objects or null"
        case .serviceAssigned: "absent"
        }
    }
}
