import CreatePipeline
import Foundation
import Testing

/// The pipeline fuzz target's seed corpus (`Fuzz/corpus/pipeline`) holds the API page's
/// example and a body for every invalid-body test case (by name), so fuzzing starts from the
/// cases the tests know. After adding a case, write the missing seeds with
/// `USP_WRITE_FUZZ_CORPUS=1 swift test --filter FuzzCorpusTests`.
@Suite struct FuzzCorpusTests {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus/pipeline")
    /// Seeds above this size would slow every fuzzing run down; the hostile-input tests cover those.
    static let largestSeed = 16_384

    static var seeds: [(name: String, body: [UInt8])] {
        [
            ("example-request", Fixtures.exampleRequestBytes),
            ("example-request-compact", Array(TestSupport.compactExampleRequest.utf8)),
        ]
            + InvalidBodyCase.all.filter { $0.body.count <= largestSeed }.map { invalid in
                let name = invalid.name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
                return ("invalid-" + String(name), invalid.body)
            }
    }

    @Test func theCorpusHoldsTheExampleAndEveryInvalidBodyCase() throws {
        if ProcessInfo.processInfo.environment["USP_WRITE_FUZZ_CORPUS"] == "1" {
            try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
            for seed in Self.seeds {
                try Data(seed.body).write(to: Self.folder.appendingPathComponent(seed.name))
            }
        }
        // By name: bodies built through JSONSerialization differ in member order from one
        // process to the next, so contents cannot be compared.
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: Self.folder.path))
        let missing = Self.seeds.map(\.name).filter { !files.contains($0) }
        #expect(missing.isEmpty, "seeds missing from Fuzz/corpus/pipeline: \(missing)")
        #expect(Self.seeds.count >= 40)
        let example = try Data(contentsOf: Self.folder.appendingPathComponent("example-request"))
        #expect([UInt8](example) == Fixtures.exampleRequestBytes, "the example seed is the API page's example")
    }
}
