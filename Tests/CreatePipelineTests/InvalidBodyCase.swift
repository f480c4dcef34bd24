import CreatePipeline
import Foundation
import Testing

/// A body the pipeline must reject, with the error it must give.
struct InvalidBodyCase: Sendable, CustomTestStringConvertible {
    let name: String
    let body: [UInt8]
    var status = 400
    var code = "BadRequest"
    /// The first detail's code (nil when the error has no details, as for 413).
    var detail: ProblemCode?
    /// The error's target (the first offending property's path), nil when none.
    var target: String?

    var testDescription: String { name }

    /// The compact example request with `original` (which occurs exactly once) replaced.
    static func replacing(_ original: String, with replacement: String) -> [UInt8] {
        let compact = TestSupport.compactExampleRequest
        precondition(compact.ranges(of: original).count == 1, "'\(original)' must occur exactly once in the example")
        return Array(compact.replacingOccurrences(of: original, with: replacement).utf8)
    }

    static let rootStart = ###"{"@odata.type":"#microsoft.graph.userSecurityProfile","###
    static let accountStart = ###"{"@odata.type":"microsoft.graph.userAccount","###
    static let vendorStart = #""vendorInformation":{"#

    /// The example with `member` added as the root's second member.
    static func withRootMember(_ member: String) -> [UInt8] { replacing(rootStart, with: rootStart + member + ",") }
    /// The example with `member` added to its account.
    static func withAccountMember(_ member: String) -> [UInt8] {
        replacing(accountStart, with: accountStart + member + ",")
    }
    /// The example with `member` added to its vendorInformation.
    static func withVendorMember(_ member: String) -> [UInt8] {
        replacing(vendorStart, with: vendorStart + member + ",")
    }
    /// The example without root member `name`.
    static func without(_ name: String) -> [UInt8] { TestSupport.exampleRequest { $0[name] = nil } }
    /// The example with root member `name` set to the JSON `value`.
    static func rootValue(_ name: String, _ value: String) -> [UInt8] {
        let object = TestSupport.jsonObject(TestSupport.exampleRequest { $0[name] = nil })!
        let rest = String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        return Array(("{\"\(name)\":\(value)," + rest.dropFirst()).utf8)
    }

    static let all: [InvalidBodyCase] =
        missingProperties + wrongTypes + nulls + badDates + unknownAndDuplicate
        + serviceAssignedAndODataType + notJSONObjects + badStrings + sizes

    static let missingProperties: [InvalidBodyCase] = [
        "accounts", "azureSubscriptionId", "azureTenantId", "displayName", "riskScore", "tags", "userPrincipalName",
        "vendorInformation",
    ].map { InvalidBodyCase(name: "missing \($0)", body: without($0), detail: .missingProperty, target: $0) }

    static let wrongTypes: [InvalidBodyCase] = [
        .init(
            name: "azureSubscriptionId is a number", body: rootValue("azureSubscriptionId", "5"), detail: .invalidType,
            target: "azureSubscriptionId"),
        .init(
            name: "azureTenantId is a number", body: rootValue("azureTenantId", "1"), detail: .invalidType,
            target: "azureTenantId"),
        .init(
            name: "displayName is a boolean", body: rootValue("displayName", "true"), detail: .invalidType,
            target: "displayName"),
        .init(
            name: "riskScore is an object", body: rootValue("riskScore", "{}"), detail: .invalidType,
            target: "riskScore"),
        .init(
            name: "userPrincipalName is an array", body: rootValue("userPrincipalName", #"["a"]"#),
            detail: .invalidType, target: "userPrincipalName"),
        .init(
            name: "tags is a string", body: rootValue("tags", #""Tags value""#), detail: .invalidType, target: "tags"),
        .init(
            name: "accounts is an object", body: rootValue("accounts", "{}"), detail: .invalidType, target: "accounts"),
        .init(
            name: "vendorInformation is an array", body: rootValue("vendorInformation", "[]"), detail: .invalidType,
            target: "vendorInformation"),
        .init(
            name: "createdDateTime is a number", body: rootValue("createdDateTime", "20170101"), detail: .invalidType,
            target: "createdDateTime"),
        .init(
            name: "displayName is -0", body: rootValue("displayName", "-0"), detail: .invalidType, target: "displayName"
        ),
        .init(
            name: "displayName is a number with exponent", body: rootValue("displayName", "1.5e300"),
            detail: .invalidType, target: "displayName"),
        .init(
            name: "a tag is a number", body: replacing(#"["Tags value"]"#, with: #"["Tags value",1]"#),
            detail: .invalidType, target: "tags[1]"),
        .init(
            name: "an account is a string", body: rootValue("accounts", #"["account"]"#), detail: .invalidType,
            target: "accounts[0]"),
        .init(
            name: "account displayName is a number",
            body: replacing(
                #""displayName":"Display Name value","lastSeenDateTime""#, with: #""displayName":1,"lastSeenDateTime""#),
            detail: .invalidType, target: "accounts[0].displayName"),
        .init(
            name: "account lastSeenDateTime is a boolean",
            body: replacing(#""2016-12-31T23:58:05.5931807+03:00""#, with: "false"), detail: .invalidType,
            target: "accounts[0].lastSeenDateTime"),
        .init(
            name: "account status is a number", body: replacing(#""status":"String""#, with: #""status":0"#),
            detail: .invalidType, target: "accounts[0].status"),
        .init(
            name: "vendor provider is an object",
            body: replacing(#""provider":"Provider value""#, with: #""provider":{"a":1}"#), detail: .invalidType,
            target: "vendorInformation.provider"),
        .init(
            name: "vendor is a string", body: rootValue("vendorInformation", #""vendor""#), detail: .invalidType,
            target: "vendorInformation"),
    ]

    static let nulls: [InvalidBodyCase] = [
        .init(
            name: "azureTenantId is null", body: rootValue("azureTenantId", "null"), detail: .nullNotAllowed,
            target: "azureTenantId"),
        .init(
            name: "a tag is null", body: replacing(#"["Tags value"]"#, with: #"["Tags value",null]"#),
            detail: .nullNotAllowed, target: "tags[1]"),
        .init(
            name: "an account is null", body: rootValue("accounts", "[null]"), detail: .nullNotAllowed,
            target: "accounts[0]"),
    ]

    static func badDate(_ name: String, _ value: String) -> InvalidBodyCase {
        InvalidBodyCase(
            name: "lastSeenDateTime \(name)",
            body: replacing(#""2016-12-31T23:58:05.5931807+03:00""#, with: "\"\(value)\""),
            detail: .invalidValue, target: "accounts[0].lastSeenDateTime")
    }

    static let badDates: [InvalidBodyCase] = [
        badDate("on 29 February of a common year", "2021-02-29T00:00:00Z"),
        badDate("at hour 24", "2021-01-01T24:00:00Z"),
        badDate("at minute 60", "2021-01-01T00:60:00Z"),
        badDate("at second 60", "2021-01-01T00:00:60Z"),
        badDate("with offset +15:00", "2021-01-01T00:00:00+15:00"),
        badDate("with offset +14:30", "2021-01-01T00:00:00+14:30"),
        badDate("with offset minutes 60", "2021-01-01T00:00:00+01:60"),
        badDate("on 1500-02-29 (not a Gregorian leap year)", "1500-02-29T00:00:00Z"),
        badDate("in year 0000", "0000-01-01T00:00:00Z"),
        badDate("in month 13", "2021-13-01T00:00:00Z"),
        badDate("on day 0", "2021-01-00T00:00:00Z"),
        badDate("with lowercase t", "2021-01-01t00:00:00Z"),
        badDate("with lowercase z", "2021-01-01T00:00:00z"),
        badDate("with 13 fractional digits", "2021-01-01T00:00:00.1234567890123Z"),
        badDate("with an empty fraction", "2021-01-01T00:00:00.Z"),
        badDate("without an offset", "2021-01-01T00:00:00"),
        badDate("without seconds", "2021-01-01T00:00Z"),
        badDate("with a space separator", "2021-01-01 00:00:00Z"),
        badDate("that is empty", ""),
        InvalidBodyCase(
            name: "createdDateTime on 31 April", body: rootValue("createdDateTime", #""2021-04-31T00:00:00Z""#),
            detail: .invalidValue, target: "createdDateTime"),
        InvalidBodyCase(
            name: "lastModifiedDateTime with offset -15:00",
            body: rootValue("lastModifiedDateTime", #""2021-04-01T00:00:00-15:00""#), detail: .invalidValue,
            target: "lastModifiedDateTime"),
    ]

    static let unknownAndDuplicate: [InvalidBodyCase] = [
        .init(
            name: "unknown root property", body: withRootMember(#""color":"blue""#), detail: .unknownProperty,
            target: "color"),
        .init(
            name: "unknown account property", body: withAccountMember(#""color":"blue""#), detail: .unknownProperty,
            target: "accounts[0].color"),
        .init(
            name: "unknown vendorInformation property", body: withVendorMember(#""color":null"#),
            detail: .unknownProperty, target: "vendorInformation.color"),
        .init(
            name: "property names are case-sensitive", body: withRootMember(#""DisplayName":"x""#),
            detail: .unknownProperty, target: "DisplayName"),
        .init(
            name: "duplicate root property", body: withRootMember(#""riskScore":"1""#), detail: .duplicateProperty,
            target: "riskScore"),
        .init(
            name: "duplicate root property spelled with an escape", body: withRootMember(#""risk\u0053core":"1""#),
            detail: .duplicateProperty, target: "riskScore"),
        .init(
            name: "duplicate account property", body: withAccountMember(#""status":"x""#), detail: .duplicateProperty,
            target: "accounts[0].status"),
        .init(
            name: "duplicate vendorInformation property", body: withVendorMember(#""vendor":"x""#),
            detail: .duplicateProperty, target: "vendorInformation.vendor"),
        .init(
            name: "duplicate annotation", body: withRootMember(#""@odata.context":"a","@odata.context":"b""#),
            detail: .duplicateProperty, target: "@odata.context"),
        .init(
            name: "duplicate @odata.type",
            body: withRootMember(###""@odata.type":"microsoft.graph.userSecurityProfile""###),
            detail: .duplicateProperty, target: "@odata.type"),
    ]

    static let serviceAssignedAndODataType: [InvalidBodyCase] = [
        .init(
            name: "id sent", body: withRootMember(#""id":"e9107a0b-7a0b-e910-0b7a-10e90b7a10e9""#),
            detail: .readOnlyProperty, target: "id"),
        .init(name: "id sent as null", body: withRootMember(#""id":null"#), detail: .readOnlyProperty, target: "id"),
        .init(
            name: "root @odata.type names another type",
            body: replacing(###""#microsoft.graph.userSecurityProfile""###, with: ###""#microsoft.graph.user""###),
            detail: .invalidValue, target: "@odata.type"),
        .init(
            name: "root @odata.type differs in case",
            body: replacing(
                ###""#microsoft.graph.userSecurityProfile""###, with: ###""#microsoft.graph.UserSecurityProfile""###),
            detail: .invalidValue, target: "@odata.type"),
        .init(
            name: "root @odata.type is a number",
            body: replacing(###""#microsoft.graph.userSecurityProfile""###, with: "5"), detail: .invalidType,
            target: "@odata.type"),
        .init(
            name: "root @odata.type is null",
            body: replacing(###""#microsoft.graph.userSecurityProfile""###, with: "null"), detail: .invalidType,
            target: "@odata.type"),
        .init(
            name: "account @odata.type names the root type",
            body: replacing(###""microsoft.graph.userAccount""###, with: ###""microsoft.graph.userSecurityProfile""###),
            detail: .invalidValue, target: "accounts[0].@odata.type"),
        .init(
            name: "vendorInformation @odata.type differs in case",
            body: replacing(
                ###""microsoft.graph.securityVendorInformation""###,
                with: ###""#Microsoft.Graph.SecurityVendorInformation""###), detail: .invalidValue,
            target: "vendorInformation.@odata.type"),
        .init(
            name: "vendorInformation @odata.type has two #",
            body: replacing(
                ###""microsoft.graph.securityVendorInformation""###,
                with: ###""##microsoft.graph.securityVendorInformation""###), detail: .invalidValue,
            target: "vendorInformation.@odata.type"),
    ]

    static let notJSONObjects: [InvalidBodyCase] = [
        .init(name: "body is an array", body: Array("[]".utf8), detail: .invalidType),
        .init(name: "body is a string", body: Array(#""profile""#.utf8), detail: .invalidType),
        .init(name: "body is a number", body: Array("42".utf8), detail: .invalidType),
        .init(name: "body is null", body: Array("null".utf8), detail: .invalidType),
        .init(name: "body is true", body: Array("true".utf8), detail: .invalidType),
        .init(name: "body is empty", body: [], detail: .emptyBody),
        .init(name: "body is whitespace", body: Array(" \r\n\t".utf8), detail: .emptyBody),
        .init(name: "body is only a byte order mark", body: [0xEF, 0xBB, 0xBF], detail: .emptyBody),
        .init(name: "body is not JSON", body: Array("<userSecurityProfile/>".utf8), detail: .invalidJson),
        .init(
            name: "body has trailing garbage", body: Array((TestSupport.compactExampleRequest + " x").utf8),
            detail: .invalidJson),
        .init(
            name: "body is two objects",
            body: Array((TestSupport.compactExampleRequest + TestSupport.compactExampleRequest).utf8),
            detail: .invalidJson),
        .init(
            name: "body is truncated", body: Array(TestSupport.compactExampleRequest.utf8.dropLast(3)),
            detail: .invalidJson),
        .init(
            name: "body has a trailing comma",
            body: replacing(#""vendor":"Vendor value"}"#, with: #""vendor":"Vendor value",}"#), detail: .invalidJson),
        .init(
            name: "body uses single quotes", body: replacing(#""status":"String""#, with: #""status":'String'"#),
            detail: .invalidJson),
        .init(name: "body has NaN", body: withRootMember(#""@x.y":NaN"#), detail: .invalidJson),
        .init(name: "body has a leading-zero number", body: withRootMember(#""@x.y":012"#), detail: .invalidJson),
        .init(
            name: "body has two byte order marks", body: [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array("{}".utf8),
            detail: .invalidJson),
        .init(name: "body is UTF-16", body: [0xFF, 0xFE] + Array("{}".utf8), detail: .invalidJson),
    ]

    static let badStrings: [InvalidBodyCase] = [
        .init(
            name: "invalid UTF-8 byte in a value",
            body: replacing("Risk Score value\",\"tags", with: "Risk Score \u{1}value\",\"tags").map {
                $0 == 1 ? 0xFF : $0
            }, detail: .invalidUTF8, target: "riskScore"),
        .init(
            name: "overlong UTF-8 in a value",
            body: replacing("User Principal", with: "User \u{1}\u{2}Principal").map {
                $0 == 1 ? 0xC0 : ($0 == 2 ? 0xAF : $0)
            }, detail: .invalidUTF8, target: "userPrincipalName"),
        .init(
            name: "UTF-8-encoded surrogate in a tag",
            body: replacing("Tags value", with: "Tags \u{1}\u{2}\u{2}value").map {
                $0 == 1 ? 0xED : ($0 == 2 ? 0xA0 : $0)
            }, detail: .invalidUTF8, target: "tags[0]"),
        .init(
            name: "lone high surrogate escape", body: replacing("Signin Name value", with: #"Signin \ud800 value"#),
            detail: .invalidString, target: "accounts[0].signinName"),
        .init(
            name: "lone low surrogate escape", body: replacing("Vendor value", with: #"\udc00"#),
            detail: .invalidString, target: "vendorInformation.vendor"),
        .init(
            name: "reversed surrogate pair", body: replacing("Vendor value", with: #"\udc00\ud800"#),
            detail: .invalidString, target: "vendorInformation.vendor"),
        .init(
            name: "unknown escape", body: replacing("\"Provider value", with: #""Provider \x value"#),
            detail: .invalidString, target: "vendorInformation.provider"),
        .init(
            name: "short unicode escape", body: replacing("\"Provider value", with: #""Provider \u12 value"#),
            detail: .invalidString, target: "vendorInformation.provider"),
        .init(
            name: "raw control character", body: replacing("Service value", with: "Service\tvalue"),
            detail: .invalidString, target: "accounts[0].service"),
        .init(
            name: "invalid UTF-8 in a property name",
            body: withRootMember("\"na\u{1}me\":1").map { $0 == 1 ? 0xFE : $0 }, detail: .invalidUTF8,
            target: "na\u{FFFD}me"),
    ]

    static let sizes: [InvalidBodyCase] = [
        .init(
            name: "body one byte over the default limit",
            body: Array(repeating: 0x20, count: CreatePipeline.defaultMaximumBodySize + 1), status: 413,
            code: "RequestEntityTooLarge")
    ]
}
