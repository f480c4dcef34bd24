/// The stable codes of the entries of a `400 BadRequest` error's `details`.
/// Codes never change meaning; messages are for people and may.
public enum ProblemCode: String, Sendable, CaseIterable {
    /// The value is empty (no bytes, or only whitespace).
    case emptyBody = "EmptyBody"
    /// The body is not JSON (syntax error, truncation, trailing bytes). Has no target.
    case invalidJson = "InvalidJson"
    /// Arrays and objects nest deeper than `CreatePipeline.maximumNestingDepth`. Has no target.
    case nestingTooDeep = "NestingTooDeep"
    /// A string holds bytes that are not UTF-8.
    case invalidUTF8 = "InvalidUtf8"
    /// A string holds a raw control character, an unknown escape or an escape that is
    /// not a Unicode scalar (a lone surrogate such as `\ud800`).
    case invalidString = "InvalidString"
    /// A value has the wrong JSON type (e.g. a number where a String is declared), or the body is not an object.
    case invalidType = "InvalidType"
    /// A value has the right type but is not allowed: a malformed DateTimeOffset, a wrong `@odata.type`.
    case invalidValue = "InvalidValue"
    /// A required property is absent.
    case missingProperty = "MissingProperty"
    /// A property the type does not declare.
    case unknownProperty = "UnknownProperty"
    /// A property name appears twice in one object.
    case duplicateProperty = "DuplicateProperty"
    /// `null` where the schema forbids it (`azureTenantId`, a collection item).
    case nullNotAllowed = "NullNotAllowed"
    /// A property the service assigns (`id`).
    case readOnlyProperty = "ReadOnlyProperty"
}
