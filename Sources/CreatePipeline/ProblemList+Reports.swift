/// The problems a body can have, one method each: every message text of a `400 BadRequest`
/// detail is written here (`BodyValidator` calls only these). Paths and messages are built
/// only while the list has room for the detail.
extension ProblemList {
    mutating func bodyIsNotAnObject() {
        add(.invalidType, target: nil, message: "The body must be a JSON object (a userSecurityProfile).")
    }

    /// A member name whose text is not valid (a bad escape, a control character, bad UTF-8).
    mutating func invalidName(_ problem: StringProblem, target: @autoclosure () -> String?) {
        add(problem.code, target: target(), message: "A property name \(problem.explanation).")
    }

    /// A string anywhere inside a value the schema does not describe, whose text is not valid.
    mutating func invalidStringInSkippedValue(_ problem: StringProblem, target: @autoclosure () -> String?) {
        add(problem.code, target: target(), message: "A string value \(problem.explanation).")
    }

    /// The string value of a declared property (or of `@odata.type`) whose text is not valid.
    mutating func invalidStringValue(_ problem: StringProblem, path: @autoclosure () -> String) {
        add(problem.code, path) { "The value of '\($0)' \(problem.explanation)." }
    }

    mutating func duplicateProperty(_ path: @autoclosure () -> String) {
        add(.duplicateProperty, path) { "The property '\($0)' appears more than once." }
    }

    mutating func unknownProperty(_ path: @autoclosure () -> String, of type: ComplexType) {
        add(.unknownProperty, path) { "The property '\($0)' does not exist on type '\(type.qualifiedName)'." }
    }

    mutating func missingProperty(_ path: @autoclosure () -> String) {
        add(.missingProperty, path) { "The required property '\($0)' is missing." }
    }

    mutating func serviceAssignedProperty(_ path: @autoclosure () -> String) {
        add(.readOnlyProperty, path) { "'\($0)' is assigned by the service and must not be sent." }
    }

    mutating func nullValue(_ path: @autoclosure () -> String) {
        add(.nullNotAllowed, path) { "'\($0)' must not be null." }
    }

    mutating func nullCollectionItem(_ path: @autoclosure () -> String) {
        add(.nullNotAllowed, path) { "'\($0)' must not be null: collection items may not be null." }
    }

    /// A value of the wrong JSON type; `expectation` completes "must be …" (e.g. "a String").
    mutating func wrongType(_ path: @autoclosure () -> String, expected expectation: @autoclosure () -> String) {
        add(.invalidType, path) { "'\($0)' must be \(expectation())." }
    }

    mutating func invalidDateTimeOffset(_ path: @autoclosure () -> String, text: @autoclosure () -> String) {
        add(.invalidValue, path) {
            "'\($0)' is not a valid DateTimeOffset (YYYY-MM-DDThh:mm:ss[.fffffff](Z|±hh:mm)): '\(text())'."
        }
    }

    /// An `@odata.type` string naming another type than the object's.
    mutating func otherODataType(
        _ path: @autoclosure () -> String, of type: ComplexType, text: @autoclosure () -> String
    ) {
        add(.invalidValue, path) {
            "'\($0)' must be '\(type.qualifiedName)' or '#\(type.qualifiedName)', not '\(text())'."
        }
    }
}
