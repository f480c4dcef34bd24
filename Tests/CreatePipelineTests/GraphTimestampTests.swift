import CreatePipeline
import Testing

@Suite("Graph timestamps")
struct GraphTimestampTests {
    @Test(
        "Milliseconds print with seven fractional digits and Z",
        arguments: [
            (Int64(1_483_228_846_169), "2017-01-01T00:00:46.1690000Z"),
            (0, "1970-01-01T00:00:00.0000000Z"),
            (-1, "1969-12-31T23:59:59.9990000Z"),
            (951_782_400_000, "2000-02-29T00:00:00.0000000Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.9990000Z"),
        ])
    func millisecondsPrintInGraphFormat(_ milliseconds: Int64, _ expected: String) {
        #expect(GraphTimestamp(unixMilliseconds: milliseconds).formatted == expected)
    }

    @Test("Nanoseconds keep 100-ns precision")
    func nanosecondsKeepTicks() {
        #expect(GraphTimestamp(unixNanoseconds: 1_483_228_846_169_786_799).formatted == "2017-01-01T00:00:46.1697867Z")
        #expect(GraphTimestamp(unixNanoseconds: -1).formatted == "1969-12-31T23:59:59.9999999Z")
    }

    @Test("Out-of-range instants are clamped to years 0001–9999")
    func outOfRangeInstantsAreClamped() {
        #expect(GraphTimestamp(unixMilliseconds: .max).formatted == "9999-12-31T23:59:59.9999999Z")
        #expect(GraphTimestamp(unixMilliseconds: .min).formatted == "0001-01-01T00:00:00.0000000Z")
    }

    @Test("Timestamps order by instant")
    func timestampsOrderByInstant() {
        #expect(GraphTimestamp(unixMilliseconds: 1) < GraphTimestamp(unixMilliseconds: 2))
        #expect(GraphTimestamp(unixMilliseconds: 5) == GraphTimestamp(unixNanoseconds: 5_000_000))
    }

    @Test("now() is the current time")
    func nowIsCurrent() {
        let now = GraphTimestamp.now()
        #expect(now > GraphTimestamp(unixMilliseconds: 1_735_689_600_000))  // 2025-01-01
        #expect(now.formatted.count == 28)
    }
}

@Suite("GUIDs")
struct GUIDTests {
    @Test("Random GUIDs are lowercase version 4 and differ")
    func randomGUIDsAreVersion4() {
        let first = GUID.random()
        let second = GUID.random()
        let pattern = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
        #expect(first.wholeMatch(of: pattern) != nil, "\(first)")
        #expect(first != second)
    }
}
