import CreatePipeline
import Foundation
import Testing

@testable import HTTPCreate

@Suite("The Idempotency-Key time window")
struct KeyedCreateTimesTests {
    private static let ids = (0..<3).map { _ in UUID().uuidString.lowercased() }

    @Test("The first time recorded for an id is returned to every later request")
    func firstTimeWins() {
        let times = KeyedCreateTimes(capacity: 10)
        let first = GraphTimestamp(unixMilliseconds: 1_000)
        #expect(times.firstTime(ofEntity: Self.ids[0], proposing: first) == first)
        #expect(times.firstTime(ofEntity: Self.ids[0], proposing: GraphTimestamp(unixMilliseconds: 2_000)) == first)
    }

    @Test("Past the capacity the oldest id is forgotten first")
    func oldestIsForgotten() {
        let times = KeyedCreateTimes(capacity: 2)
        for (index, id) in Self.ids.enumerated() {
            _ = times.firstTime(ofEntity: id, proposing: GraphTimestamp(unixMilliseconds: Int64(index)))
        }
        #expect(times.count == 2)
        let later = GraphTimestamp(unixMilliseconds: 99)
        #expect(times.firstTime(ofEntity: Self.ids[2], proposing: later) == GraphTimestamp(unixMilliseconds: 2))
        #expect(times.firstTime(ofEntity: Self.ids[0], proposing: later) == later, "forgotten")
    }
}
