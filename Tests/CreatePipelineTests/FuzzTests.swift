import CreatePipeline
import Foundation
import Testing

/// A small seeded generator (SplitMix64), so every fuzz run sees the same inputs.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Mutated bodies never break the pipeline")
struct FuzzTests {
    /// Override with `USP_FUZZ_ITERATIONS` and `USP_FUZZ_SEED` for a longer run.
    static let iterations = ProcessInfo.processInfo.environment["USP_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 20_000
    static let seed = ProcessInfo.processInfo.environment["USP_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5EED_0FC0_FFEE
    static let timeBudget: Duration = .seconds(
        ProcessInfo.processInfo.environment["USP_FUZZ_ITERATIONS"] == nil ? 60 : 3_600)

    static let fragments: [String] = [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "null", "true", "false", "0", "-0", "1e5", "NaN", "\"\"",
        #""id":"x""#, ##""@odata.type":"#x""##, #""@odata.context":{}"#, #""tags":[null]"#, #"\ud800"#, #"\u0000"#,
        #""lastSeenDateTime":"2021-02-29T00:00:00Z""#, #""accounts":[{}]"#, #""vendorInformation":null"#,
        "\u{FEFF}", "é", "😀", " ", "\n", "\t", "[[[[[[[[", "]]]]", #""displayName":"x""#, #""a@b":[1,{"c":2}]"#,
    ]

    static func mutate(_ body: inout [UInt8], using random: inout SplitMix64) {
        guard !body.isEmpty else {
            body = Array(fragments.randomElement(using: &random)!.utf8)
            return
        }
        let position = Int.random(in: 0..<body.count, using: &random)
        switch Int.random(in: 0..<7, using: &random) {
        case 0:  // flip bits of one byte
            body[position] ^= UInt8.random(in: 1...255, using: &random)
        case 1:  // insert a random byte
            body.insert(UInt8.random(in: 0...255, using: &random), at: position)
        case 2:  // delete a range
            let length = Int.random(in: 1...min(16, body.count - position), using: &random)
            body.removeSubrange(position..<position + length)
        case 3:  // insert a JSON fragment
            body.insert(contentsOf: Array(fragments.randomElement(using: &random)!.utf8), at: position)
        case 4:  // replace a range with a fragment
            let length = Int.random(in: 0...min(24, body.count - position), using: &random)
            body.replaceSubrange(
                position..<position + length, with: Array(fragments.randomElement(using: &random)!.utf8))
        case 5:  // splice: copy a range of the body elsewhere
            let length = Int.random(in: 1...min(64, body.count - position), using: &random)
            let copy = Array(body[position..<position + length])
            body.insert(contentsOf: copy, at: Int.random(in: 0...body.count, using: &random))
        default:  // replace one byte with a structural character
            body[position] = Array("{}[],:\"\\ ".utf8).randomElement(using: &random)!
        }
    }

    @Test("Random mutations of the example yield a well-ordered JSON entity or a 4xx error, never a trap")
    func mutationsYieldEntityOrClientError() throws {
        var random = SplitMix64(state: Self.seed)
        let pipeline = CreatePipeline(maximumBodySize: 4_096)
        let seeds = [Fixtures.exampleRequestBytes, Array(TestSupport.compactExampleRequest.utf8)]
        let clock = ContinuousClock()
        let start = clock.now
        var created = 0
        var rejected = 0
        for iteration in 0..<Self.iterations {
            guard clock.now - start < Self.timeBudget else { break }
            var body = seeds[iteration % seeds.count]
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                Self.mutate(&body, using: &random)
            }
            switch pipeline.create(body, context: TestSupport.context()) {
            case .created(let entity):
                created += 1
                #expect(
                    TestSupport.jsonObject(entity.body) != nil,
                    "entity is not a JSON object for \(String(decoding: body, as: UTF8.self))")
                #expect(TestSupport.topLevelKeys(entity.body) == TestSupport.entityKeyOrder)
                // Whatever the pipeline accepts, an independent JSON parser accepts too.
                let input = body.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(body.dropFirst(3)) : body
                #expect(
                    TestSupport.jsonObject(input) != nil,
                    "accepted a body Foundation rejects: \(String(decoding: body, as: UTF8.self))")
            case .rejected(let error):
                rejected += 1
                #expect((400...499).contains(error.status))
                #expect(!error.details.isEmpty || error.status == 413)
                #expect(TestSupport.jsonObject(error.body(context: TestSupport.context())) != nil)
            }
        }
        // The mutations must exercise both outcomes, or the test proves little.
        #expect(created > 100)
        #expect(rejected > 1_000)
    }
}
