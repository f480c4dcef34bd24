/// The userSecurityProfile create schema: which properties each type declares, in
/// declared (output) order, and what each may hold.
struct ComplexType: Sendable {
    /// The qualified name its `@odata.type` must carry, e.g. `microsoft.graph.userAccount`.
    let qualifiedName: StaticString
    /// Declared properties; an index into this array is the property's output position.
    let properties: [PropertyDefinition]
    /// Bit `i` set when `properties[i]` is required.
    let requiredMask: UInt32

    init(qualifiedName: StaticString, properties: [PropertyDefinition]) {
        precondition(properties.count < 32)
        self.qualifiedName = qualifiedName
        self.properties = properties
        var mask: UInt32 = 0
        for (index, property) in properties.enumerated() where property.isRequired {
            mask |= 1 << UInt32(index)
        }
        requiredMask = mask
    }

    /// One past the closing quote of the member name whose opening quote is at `start`, when
    /// that name is the name of `properties[guess]` (checked without scanning the name);
    /// nil when it is not, or when the body ends too close to tell this way.
    @inline(__always)
    func endOfName(at start: Int, ifPropertyAt guess: Int, in lexer: JSONLexer) -> Int? {
        guard guess < properties.count, start + 1 + PropertyDefinition.maximumNameLength < lexer.end else { return nil }
        let property = properties[guess]
        guard property.matchesName(at: start + 1, in: lexer) else { return nil }
        return start + 2 + property.name.utf8CodeUnitCount
    }

    /// The member name at `start` (its opening quote) without a scan, when it is one of the
    /// names bodies usually have there: the next declared property's, the one after it (the
    /// next one is optional and often left out), or `@odata.type` (usually the first member).
    /// Returns one past its closing quote and its kind; nil for any other name.
    @inline(__always)
    func expectedMember(at start: Int, next: Int, in lexer: JSONLexer) -> (end: Int, kind: MemberKind)? {
        if let end = endOfName(at: start, ifPropertyAt: next, in: lexer) { return (end, .property(next)) }
        if let end = endOfName(at: start, ifPropertyAt: next + 1, in: lexer) { return (end, .property(next + 1)) }
        if start + 1 + PropertyDefinition.maximumNameLength < lexer.end,
            MemberKind.odataTypeName.matchesName(at: start + 1, in: lexer)
        {
            return (start + 2 + MemberKind.odataTypeName.name.utf8CodeUnitCount, .odataType)
        }
        return nil
    }

    /// The index of the declared property named `name`, if any. The search starts at
    /// `firstGuess`: bodies usually list properties in declared order, so passing the index
    /// after the previous match usually finds the name at the first comparison.
    @inline(__always)
    func propertyIndex(named name: UnsafePointer<UInt8>, count: Int, firstGuess: Int = 0) -> Int? {
        let propertyCount = properties.count
        var index = firstGuess < propertyCount ? firstGuess : 0
        for _ in 0..<propertyCount {
            let candidate = properties[index].name
            if candidate.utf8CodeUnitCount == count, memoryEquals(candidate.utf8Start, name, count) {
                return index
            }
            index += 1
            if index == propertyCount { index = 0 }
        }
        return nil
    }
}

struct PropertyDefinition: Sendable {
    let name: StaticString
    let kind: ValueKind
    let isRequired: Bool
    /// The name's bytes as three little-endian words, zero past its end, and the masks of
    /// its bytes in each: to compare a body's bytes with the name without a loop.
    private let nameWords: (UInt64, UInt64, UInt64)
    private let nameMasks: (UInt64, UInt64, UInt64)

    /// The longest name `matchesName` can compare.
    static let maximumNameLength = 24

    init(_ name: StaticString, _ kind: ValueKind, required: Bool = false) {
        let count = name.utf8CodeUnitCount
        precondition(count <= Self.maximumNameLength)
        self.name = name
        self.kind = kind
        self.isRequired = required
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var masks: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &words) { words in
            words.copyMemory(from: UnsafeRawBufferPointer(start: name.utf8Start, count: count))
        }
        withUnsafeMutableBytes(of: &masks) { masks in
            for index in 0..<count { masks[index] = 0xFF }
        }
        nameWords = (UInt64(littleEndian: words.0), UInt64(littleEndian: words.1), UInt64(littleEndian: words.2))
        nameMasks = (UInt64(littleEndian: masks.0), UInt64(littleEndian: masks.1), UInt64(littleEndian: masks.2))
    }

    var nameString: String { name.description }

    /// Whether the body's bytes at `offset` are this property's name followed by `"` (the
    /// name of a member, just after its opening quote). Compares words, without a loop or
    /// a data-dependent branch; needs `maximumNameLength + 1` readable bytes at `offset`.
    @inline(__always)
    func matchesName(at offset: Int, in lexer: JSONLexer) -> Bool {
        let difference =
            ((lexer.word(at: offset) ^ nameWords.0) & nameMasks.0)
            | ((lexer.word(at: offset + 8) ^ nameWords.1) & nameMasks.1)
            | ((lexer.word(at: offset + 16) ^ nameWords.2) & nameMasks.2)
        return difference == 0 && lexer[offset + name.utf8CodeUnitCount] == UInt8(ascii: "\"")
    }
}

/// What a property's value may be. Every property may be `null` unless said otherwise.
enum ValueKind: Sendable {
    case string
    /// A String that may not be `null` (`azureTenantId`).
    case nonNullableString
    case dateTimeOffset
    /// `createdDateTime` / `lastModifiedDateTime`: a DateTimeOffset the service sets when absent or null.
    case serviceDefaultedDateTimeOffset
    case stringCollection
    case complex(ComplexTypeName)
    case complexCollection(ComplexTypeName)
    /// Assigned by the service; a body must not carry it (`id`).
    case serviceAssigned
}

enum ComplexTypeName: Sendable {
    case userAccount
    case securityVendorInformation

    var type: ComplexType {
        switch self {
        case .userAccount: EntitySchema.userAccount
        case .securityVendorInformation: EntitySchema.securityVendorInformation
        }
    }
}

enum EntitySchema {
    /// The root type. Indices 0–9 are the entity's output order after `@odata.type` and `id`.
    static let userSecurityProfile = ComplexType(
        qualifiedName: "microsoft.graph.userSecurityProfile",
        properties: [
            PropertyDefinition("accounts", .complexCollection(.userAccount), required: true),
            PropertyDefinition("azureSubscriptionId", .string, required: true),
            PropertyDefinition("azureTenantId", .nonNullableString, required: true),
            PropertyDefinition("createdDateTime", .serviceDefaultedDateTimeOffset),
            PropertyDefinition("displayName", .string, required: true),
            PropertyDefinition("lastModifiedDateTime", .serviceDefaultedDateTimeOffset),
            PropertyDefinition("riskScore", .string, required: true),
            PropertyDefinition("tags", .stringCollection, required: true),
            PropertyDefinition("userPrincipalName", .string, required: true),
            PropertyDefinition("vendorInformation", .complex(.securityVendorInformation), required: true),
            PropertyDefinition("id", .serviceAssigned),
        ]
    )

    enum Root {
        static let accounts = 0
        static let azureTenantId = 2
        static let createdDateTime = 3
        static let lastModifiedDateTime = 5
        static let tags = 7
        static let vendorInformation = 9
        /// Properties 0..<outputCount appear in the entity.
        static let outputCount = 10
    }

    enum VendorInformation {
        static let vendor = 3
    }

    static let userAccount = ComplexType(
        qualifiedName: "microsoft.graph.userAccount",
        properties: [
            PropertyDefinition("displayName", .string),
            PropertyDefinition("lastSeenDateTime", .dateTimeOffset),
            PropertyDefinition("riskScore", .string),
            PropertyDefinition("service", .string),
            PropertyDefinition("signinName", .string),
            PropertyDefinition("status", .string),
        ]
    )

    static let securityVendorInformation = ComplexType(
        qualifiedName: "microsoft.graph.securityVendorInformation",
        properties: [
            PropertyDefinition("provider", .string),
            PropertyDefinition("providerVersion", .string),
            PropertyDefinition("subProvider", .string),
            PropertyDefinition("vendor", .string),
        ]
    )

    /// The most properties any type declares (the size of a span table).
    static let maximumPropertyCount = 11
}

/// How a member name of an object is treated.
enum MemberKind: Equatable {
    /// A declared property (index into the type's properties).
    case property(Int)
    /// `@odata.type`: checked, echoed in nested objects.
    case odataType
    /// Any other name containing `@` (`@odata.context`, `displayName@odata.type`): dropped.
    case annotation
    /// Not declared by the type.
    case unknown

    /// `@odata.type`, as a name to match (its kind is not used).
    static let odataTypeName = PropertyDefinition("@odata.type", .string)

    /// Classifies the decoded member name `name` for `type`.
    @inline(__always)
    static func classify(_ name: UnsafePointer<UInt8>, count: Int, in type: ComplexType, firstGuess: Int = 0)
        -> MemberKind
    {
        // No declared property name contains `@`: a name starting with one is `@odata.type`
        // or an annotation, without a look at the properties.
        if count > 0, name[0] == UInt8(ascii: "@") {
            let odataType: StaticString = "@odata.type"
            if count == odataType.utf8CodeUnitCount, memoryEquals(odataType.utf8Start, name, count) {
                return .odataType
            }
            return .annotation
        }
        if let index = type.propertyIndex(named: name, count: count, firstGuess: firstGuess) {
            return .property(index)
        }
        for offset in 0..<count where name[offset] == UInt8(ascii: "@") {
            return .annotation
        }
        return .unknown
    }
}

/// Whether the `count` bytes at `lhs` and `rhs` are equal; compares 8 bytes at a time
/// (property names and type names are 4 to 41 bytes long).
@inline(__always)
func memoryEquals(_ lhs: UnsafePointer<UInt8>, _ rhs: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    if count < 8 {
        var index = 0
        while index < count {
            if lhs[index] != rhs[index] { return false }
            index += 1
        }
        return true
    }
    func word(_ pointer: UnsafePointer<UInt8>, _ offset: Int) -> UInt64 {
        UnsafeRawPointer(pointer + offset).loadUnaligned(as: UInt64.self)
    }
    var index = 0
    while index + 8 < count {
        if word(lhs, index) != word(rhs, index) { return false }
        index += 8
    }
    // The last 8 bytes, overlapping bytes already compared when count is not a multiple of 8.
    return word(lhs, count - 8) == word(rhs, count - 8)
}
