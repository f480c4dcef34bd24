import CreatePipeline
import Foundation
import Testing

@Suite("The API page's example")
struct ExampleResponseTests {
    @Test("The example request produces the example response, except for id and the service-set timestamps")
    func exampleRequestProducesExampleResponse() throws {
        let entity = try #require(TestSupport.entity(Fixtures.exampleRequestBytes))
        var produced = try #require(TestSupport.jsonObject(entity.body))
        var expected = try #require(TestSupport.jsonObject(Array(Fixtures.exampleResponse.utf8)))

        #expect(produced["id"] as? String == entity.id)
        #expect(produced["createdDateTime"] as? String == "2017-01-01T00:00:46.1690000Z")
        #expect(produced["lastModifiedDateTime"] as? String == "2017-01-01T00:00:46.1690000Z")
        for name in ["id", "createdDateTime", "lastModifiedDateTime"] {
            produced[name] = nil
            expected[name] = nil
        }
        #expect(NSDictionary(dictionary: produced) == NSDictionary(dictionary: expected))
    }

    @Test("The entity's properties come in the contract's order")
    func entityPropertyOrderIsTheContracts() throws {
        let entity = try #require(TestSupport.entity(Fixtures.exampleRequestBytes))
        #expect(TestSupport.topLevelKeys(entity.body) == TestSupport.entityKeyOrder)
        #expect(TestSupport.topLevelKeys(Array(Fixtures.exampleResponse.utf8)) == TestSupport.entityKeyOrder)
    }

    @Test("The entity is the compact example response with the generated id and timestamps")
    func entityIsCompactExampleResponse() throws {
        let entity = try #require(TestSupport.entity(Fixtures.exampleRequestBytes))
        var expected = Fixtures.exampleResponse.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .joined().replacingOccurrences(of: "\": ", with: "\":")
        expected = expected.replacingOccurrences(of: "e9107a0b-7a0b-e910-0b7a-10e90b7a10e9", with: entity.id)
        expected = expected.replacingOccurrences(
            of: "2017-01-01T00:00:46.1697867+03:00", with: "2017-01-01T00:00:46.1690000Z")
        expected = expected.replacingOccurrences(
            of: "2016-12-31T23:58:46.8102575+03:00", with: "2017-01-01T00:00:46.1690000Z")
        #expect(String(decoding: entity.body, as: UTF8.self) == expected)
    }

    @Test("The id is a lowercase version 5 GUID")
    func idIsLowercaseVersion5GUID() throws {
        let entity = try #require(TestSupport.entity(Fixtures.exampleRequestBytes))
        let pattern = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
        #expect(entity.id.wholeMatch(of: pattern) != nil, "\(entity.id)")
    }
}
