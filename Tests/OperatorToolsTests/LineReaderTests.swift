import Foundation
import Testing

@testable import OperatorTools

/// Reading backfill files: lines split wherever chunks end, plain or gzip,
/// and every way a file can be wrong reported rather than half-read silently.
@Suite struct LineReaderTests {
    /// Reads every line of `path`; the error, if reading stopped with one.
    private func readLines(_ path: String, limit: Int = 1 << 20) -> (lines: [InputLine], error: OperatorToolError?) {
        var lines: [InputLine] = []
        do throws(OperatorToolError) {
            let reader = LineReader(input: try DecodedInput(file: try InputFile(path: path)), maximumLineSize: limit)
            while let line = try reader.next() { lines.append(line) }
            return (lines, nil)
        } catch {
            return (lines, error)
        }
    }

    private func text(_ lines: [InputLine]) -> [String] {
        lines.map {
            switch $0 {
            case .text(_, let bytes): String(decoding: bytes, as: UTF8.self)
            case .oversized(_, let length): "<oversized \(length)>"
            }
        }
    }

    @Test func linesSpanningChunkBoundariesComeBackWhole() throws {
        let bed = try ScratchFolder()
        // About 3 MiB of lines of uneven length, so several end inside and
        // across the reader's 1 MiB chunks.
        let lines = (0..<1500).map { index in String(repeating: "x", count: 100 + (index * 7919) % 4000) + "\(index)" }
        let path = try bed.write("long.jsonl", Array((lines.joined(separator: "\n") + "\n").utf8))
        let (read, error) = readLines(path)
        #expect(error == nil)
        #expect(text(read) == lines)
        #expect(read.last == .text(number: 1500, bytes: Array(lines[1499].utf8)))
    }

    @Test func crlfEndingsBlankLinesAndAMissingFinalNewline() throws {
        let bed = try ScratchFolder()
        let path = try bed.write("mixed.jsonl", Array("{\"a\":1}\r\n\n  \r\n{\"b\":2}".utf8))
        let (read, error) = readLines(path)
        #expect(error == nil)
        #expect(text(read) == ["{\"a\":1}", "", "  ", "{\"b\":2}"])
        let empty = try bed.write("empty.jsonl", [])
        #expect(readLines(empty).lines.isEmpty)
        let oneNewline = try bed.write("newline.jsonl", [0x0A])
        #expect(text(readLines(oneNewline).lines) == [""], "a final newline does not start another line")
    }

    @Test func aLineAboveTheLimitIsReportedWithItsLengthNotKept() throws {
        let bed = try ScratchFolder()
        let limit = 1000
        let atLimit = String(repeating: "a", count: limit)
        let atLimitWithReturn = atLimit + "\r"
        let above = String(repeating: "b", count: limit + 1)
        let huge = String(repeating: "c", count: 3 << 20)  // spans several chunks
        let path = try bed.write(
            "sizes.jsonl", Array([atLimit, atLimitWithReturn, above, huge + "\r", "{}"].joined(separator: "\n").utf8))
        let (read, error) = readLines(path, limit: limit)
        #expect(error == nil)
        #expect(
            read == [
                .text(number: 1, bytes: Array(atLimit.utf8)),
                .text(number: 2, bytes: Array(atLimit.utf8)),
                .oversized(number: 3, length: limit + 1),
                .oversized(number: 4, length: 3 << 20),
                .text(number: 5, bytes: Array("{}".utf8)),
            ])
    }

    @Test func gzipIsRecognisedByItsContentAndReadsLikeThePlainFile() throws {
        let bed = try ScratchFolder()
        let lines = (0..<5000).map { "{\"line\":\($0),\"pad\":\"\(String(repeating: "z", count: $0 % 300))\"}" }
        let plain = try bed.write("events.jsonl", Array((lines.joined(separator: "\n") + "\n").utf8))
        let compressed = try bed.gzip(plain, to: "events-without-suffix")
        let (read, error) = readLines(compressed)
        #expect(error == nil)
        #expect(text(read) == lines)
    }

    @Test func concatenatedGzipMembersAreReadOneAfterTheOther() throws {
        let bed = try ScratchFolder()
        let first = try bed.gzip(try bed.write("a.jsonl", Array("{\"a\":1}\n{\"a\":2}\n".utf8)), to: "a.gz")
        let second = try bed.gzip(try bed.write("b.jsonl", Array("{\"b\":3}\n".utf8)), to: "b.gz")
        let both = try bed.write(
            "both.gz",
            Array(try Data(contentsOf: URL(fileURLWithPath: first)) + Data(contentsOf: URL(fileURLWithPath: second))))
        let (read, error) = readLines(both)
        #expect(error == nil)
        #expect(text(read) == ["{\"a\":1}", "{\"a\":2}", "{\"b\":3}"])
    }

    @Test func aTruncatedOrCorruptGzipFileIsAnErrorNotAShortFile() throws {
        let bed = try ScratchFolder()
        let lines = (0..<2000).map { "{\"n\":\($0)}" }
        let compressed = try Data(
            contentsOf: URL(
                fileURLWithPath:
                    try bed.gzip(
                        try bed.write("n.jsonl", Array((lines.joined(separator: "\n") + "\n").utf8)), to: "n.gz")))

        let truncated = try bed.write("truncated.gz", Array(compressed.dropLast(12)))
        let (partial, truncationError) = readLines(truncated)
        guard case .corruptGzip(let path, let reason)? = truncationError else {
            Issue.record("a truncated file is reported, got \(String(describing: truncationError))")
            return
        }
        #expect(path == truncated && reason.contains("truncated"))
        #expect(partial.count < lines.count, "the lines before the cut may be read, never a whole file")

        var flipped = Array(compressed)
        flipped[flipped.count / 2] ^= 0xFF
        let corrupt = try bed.write("corrupt.gz", flipped)
        guard case .corruptGzip? = readLines(corrupt).error else {
            Issue.record("a corrupt file is reported")
            return
        }
        let magicOnly = try bed.write("magic.gz", [0x1F, 0x8B])
        guard case .corruptGzip? = readLines(magicOnly).error else {
            Issue.record("two magic bytes alone are a truncated gzip file")
            return
        }
    }

    @Test func progressFollowsTheFileBytesBehindTheLinesNotTheReadAhead() throws {
        let bed = try ScratchFolder()
        // Compresses to far less than one read chunk: measured by bytes read,
        // the first line would already show the whole file.
        let lines = (0..<400_000).map { "{\"n\":\($0 % 10)}" }
        let plain = try bed.write("n.jsonl", Array((lines.joined(separator: "\n") + "\n").utf8))
        for path in [plain, try bed.gzip(plain, to: "n.gz")] {
            let file = try InputFile(path: path)
            let reader = LineReader(input: try DecodedInput(file: file), maximumLineSize: 100)
            _ = try reader.next()
            let early = reader.input.fileBytesConsumed
            while try reader.next() != nil {}
            #expect(early > 0 && early < file.size! / 2, "\(path): \(early) of \(file.size!) after one line")
            #expect(reader.input.fileBytesConsumed == file.size, "\(path): all of it at the end")
        }
    }

    @Test func aMissingFileIsNamed() {
        guard case .unreadableInput(let path, _)? = readLines("/nonexistent/usp-backfill.jsonl").error else {
            Issue.record("a missing file is reported")
            return
        }
        #expect(path == "/nonexistent/usp-backfill.jsonl")
    }
}
