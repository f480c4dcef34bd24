import CreatePipeline
import Foundation
import Testing

@Suite("Valid edge cases are accepted and echoed")
struct ValidEdgeCaseTests {
    private func entityText(_ body: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        TestSupport.entity(body, sourceLocation: sourceLocation).map { String(decoding: $0.body, as: UTF8.self) }
    }

    @Test("A leading UTF-8 byte order mark is ignored")
    func byteOrderMarkIsIgnored() throws {
        let plain = try #require(TestSupport.entity(Fixtures.exampleRequestBytes))
        let withMark = try #require(TestSupport.entity([0xEF, 0xBB, 0xBF] + Fixtures.exampleRequestBytes))
        #expect(withMark.body == plain.body)
    }

    @Test("Annotations are dropped at every level")
    func annotationsAreDroppedAtEveryLevel() throws {
        var body = InvalidBodyCase.withRootMember(
            ###""@odata.context":"https://graph.microsoft.com/$metadata#x","displayName@odata.type":"#String","@custom.nested":{"a":[1,{"b":null}],"c":true}"###
        )
        body = Array(
            String(decoding: body, as: UTF8.self)
                .replacingOccurrences(
                    of: InvalidBodyCase.accountStart,
                    with: InvalidBodyCase.accountStart + #""status@odata.type":"String","@odata.id":7,"#
                )
                .replacingOccurrences(
                    of: InvalidBodyCase.vendorStart, with: InvalidBodyCase.vendorStart + #""@odata.etag":"W/\"1\"","#
                ).utf8)
        let text = try #require(entityText(body))
        let plain = try #require(entityText(Fixtures.exampleRequestBytes))
        #expect(text == plain)
        #expect(!text.contains("@odata.context") && !text.contains("@custom") && !text.contains("@odata.etag"))
    }

    @Test("@odata.type is optional at every level and nested ones are echoed as sent")
    func odataTypeIsOptionalAndEchoedAsSent() throws {
        let body = Array(
            TestSupport.compactExampleRequest
                .replacingOccurrences(of: ###""@odata.type":"#microsoft.graph.userSecurityProfile","###, with: "")
                .replacingOccurrences(
                    of: ###""@odata.type":"microsoft.graph.userAccount","###,
                    with: ###""@odata.type":"#microsoft.graph.userAccount","###
                )
                .replacingOccurrences(of: #""@odata.type":"microsoft.graph.securityVendorInformation","#, with: "").utf8
        )
        let text = try #require(entityText(body))
        #expect(text.hasPrefix(###"{"@odata.type":"#microsoft.graph.userSecurityProfile","id":"###))
        #expect(text.contains(###"[{"@odata.type":"#microsoft.graph.userAccount","displayName""###))
        #expect(text.contains(#""vendorInformation":{"provider":"Provider value""#))
    }

    @Test("A root @odata.type without # is accepted and the entity carries the canonical one")
    func rootODataTypeWithoutHashIsAccepted() throws {
        let body = InvalidBodyCase.replacing(
            ###""#microsoft.graph.userSecurityProfile""###, with: ###""microsoft.graph.userSecurityProfile""###)
        let text = try #require(entityText(body))
        #expect(text.hasPrefix(###"{"@odata.type":"#microsoft.graph.userSecurityProfile","###))
    }

    @Test("Nullable properties may be null and are echoed as null")
    func nullablePropertiesMayBeNull() throws {
        let body = TestSupport.exampleRequest { object in
            for name in [
                "accounts", "azureSubscriptionId", "displayName", "riskScore", "tags", "userPrincipalName",
                "vendorInformation",
            ] {
                object[name] = NSNull()
            }
        }
        let entity = try #require(TestSupport.entity(body))
        let object = try #require(TestSupport.jsonObject(entity.body))
        for name in [
            "accounts", "azureSubscriptionId", "displayName", "riskScore", "tags", "userPrincipalName",
            "vendorInformation",
        ] {
            #expect(object[name] is NSNull, "\(name)")
        }
        #expect(TestSupport.topLevelKeys(entity.body) == TestSupport.entityKeyOrder)
    }

    @Test("Nested properties may be null or absent; absent ones stay absent")
    func nestedPropertiesMayBeNullOrAbsent() throws {
        let body = Array(
            #"{"accounts":[{},{"displayName":null,"lastSeenDateTime":null}],"azureSubscriptionId":"s","azureTenantId":"t","displayName":"d","riskScore":"r","tags":[],"userPrincipalName":"u","vendorInformation":{"vendor":null}}"#
                .utf8)
        let text = try #require(entityText(body))
        #expect(text.contains(#""accounts":[{},{"displayName":null,"lastSeenDateTime":null}]"#))
        #expect(text.contains(#""tags":[]"#))
        #expect(text.contains(#""vendorInformation":{"vendor":null}}"#))
    }

    @Test("Nested properties are written in their type's declared order")
    func nestedPropertiesFollowDeclaredOrder() throws {
        let body = Array(
            #"{"vendorInformation":{"vendor":"v","subProvider":"s","@odata.type":"microsoft.graph.securityVendorInformation","provider":"p"},"accounts":[{"status":"a","signinName":"b","service":"c","riskScore":"d","lastSeenDateTime":"2020-01-01T00:00:00Z","displayName":"f"}],"tags":[ "x" , "y" ],"userPrincipalName":"u","riskScore":"r","displayName":"d","azureTenantId":"t","azureSubscriptionId":"s"}"#
                .utf8)
        let text = try #require(entityText(body))
        #expect(
            text.contains(
                #""accounts":[{"displayName":"f","lastSeenDateTime":"2020-01-01T00:00:00Z","riskScore":"d","service":"c","signinName":"b","status":"a"}]"#
            ))
        #expect(
            text.contains(
                #""vendorInformation":{"@odata.type":"microsoft.graph.securityVendorInformation","provider":"p","subProvider":"s","vendor":"v"}}"#
            ))
        #expect(text.contains(#""tags":["x","y"]"#))
    }

    @Test(
        "Valid DateTimeOffsets are echoed verbatim",
        arguments: [
            "2021-02-28T00:00:00Z", "2020-02-29T23:59:59Z", "2000-02-29T12:00:00+14:00", "0001-01-01T00:00:00-14:00",
            "9999-12-31T23:59:59.999999999999Z", "2021-06-30T10:20:30.1+05:30", "2021-06-30T10:20:30.12-00:00",
            "2021-06-30T10:20:30.1234567+01:00", "2021-06-30T10:20:30.12345678901Z",
        ])
    func validDateTimeOffsetIsEchoedVerbatim(_ value: String) throws {
        let body = InvalidBodyCase.replacing(#""2016-12-31T23:58:05.5931807+03:00""#, with: "\"\(value)\"")
        let text = try #require(entityText(body))
        #expect(text.contains(#""lastSeenDateTime":"\#(value)""#))
    }

    @Test("Sent createdDateTime and lastModifiedDateTime are kept")
    func sentTimestampsAreKept() throws {
        let body = InvalidBodyCase.withRootMember(
            #""lastModifiedDateTime":"2016-12-31T23:58:46.8102575+03:00","createdDateTime":"2017-01-01T00:00:46.1697867+03:00""#
        )
        let entity = try #require(TestSupport.entity(body))
        let object = try #require(TestSupport.jsonObject(entity.body))
        #expect(object["createdDateTime"] as? String == "2017-01-01T00:00:46.1697867+03:00")
        #expect(object["lastModifiedDateTime"] as? String == "2016-12-31T23:58:46.8102575+03:00")
        #expect(TestSupport.topLevelKeys(entity.body) == TestSupport.entityKeyOrder)
    }

    @Test("Null or absent createdDateTime and lastModifiedDateTime are set from the event time")
    func nullOrAbsentTimestampsAreSet() throws {
        let body = InvalidBodyCase.withRootMember(
            #""createdDateTime":null,"lastModifiedDateTime":"2016-12-31T23:58:46Z""#)
        let entity = try #require(TestSupport.entity(body))
        let object = try #require(TestSupport.jsonObject(entity.body))
        #expect(object["createdDateTime"] as? String == TestSupport.eventTime.formatted)
        #expect(object["lastModifiedDateTime"] as? String == "2016-12-31T23:58:46Z")
        #expect(TestSupport.eventTime.formatted == "2017-01-01T00:00:46.1690000Z")
    }

    @Test("Strings with every escape form are kept byte for byte and stay valid JSON")
    func escapesAreKeptValid() throws {
        let escaped = #"q\" b\\ s\/ \b\f\n\r\t \u0000 \u001f \u00e9 \u2028 \ud83d\ude00 \uFFFF é 😀"#
        let body = InvalidBodyCase.replacing(
            #""Display Name value","riskScore":"Risk Score value","tags""#,
            with: "\"\(escaped)\",\"riskScore\":\"Risk Score value\",\"tags\"")
        let entity = try #require(TestSupport.entity(body))
        #expect(String(decoding: entity.body, as: UTF8.self).contains("\"displayName\":\"\(escaped)\""))
        let object = try #require(TestSupport.jsonObject(entity.body))
        #expect(
            object["displayName"] as? String == "q\" b\\ s/ \u{8}\u{c}\n\r\t \u{0} \u{1f} é \u{2028} 😀 \u{FFFF} é 😀")
    }

    @Test("Property names written with escapes are recognized")
    func escapedPropertyNamesAreRecognized() throws {
        let body = InvalidBodyCase.replacing(#""userPrincipalName":"#, with: #""user\u0050rincipalName":"#)
        let text = try #require(entityText(body))
        #expect(text.contains(#""userPrincipalName":"User Principal Name value""#))
    }

    @Test("Insignificant whitespace anywhere is accepted and not copied")
    func whitespaceIsNotCopied() throws {
        let spaced = Array(" \n\t\r".utf8) + Fixtures.exampleRequestBytes + Array("\r\n\t ".utf8)
        let spacedEntity = try #require(TestSupport.entity(spaced))
        let compactEntity = try #require(TestSupport.entity(Array(TestSupport.compactExampleRequest.utf8)))
        #expect(spacedEntity.body == compactEntity.body)
        #expect(!spacedEntity.body.contains(UInt8(ascii: "\n")))
    }

    @Test("Every root property's value is echoed")
    func rootValuesAreEchoed() throws {
        let entity = try #require(TestSupport.entity(Fixtures.exampleRequestBytes))
        let object = try #require(TestSupport.jsonObject(entity.body))
        let request = try #require(TestSupport.jsonObject(Fixtures.exampleRequestBytes))
        for (name, value) in request where name != "@odata.type" {
            #expect(
                NSDictionary(dictionary: [name: value]) == NSDictionary(dictionary: [name: object[name] as Any]),
                "\(name)")
        }
    }
}
