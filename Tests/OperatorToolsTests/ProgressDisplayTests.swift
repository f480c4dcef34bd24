import Testing

@testable import OperatorTools

@Suite struct ProgressDisplayTests {
    @Test func onATerminalOneBarIsRedrawnInPlaceWithinTheWidth() {
        let display = ProgressDisplay(style: .bar(columns: 60), label: "backfill", interval: .milliseconds(200))
        let half = display.render(fraction: 0.5, status: "lines=10")
        #expect(half == "\r[############------------] 50% lines=10\u{1B}[K")
        let long = display.render(fraction: 1, status: String(repeating: "x", count: 200))
        let visible = long.dropFirst().dropLast(3)
        #expect(visible.count == 59, "clipped one short of the last column")
        #expect(visible.hasPrefix("[########################] 100% x"))
        #expect(display.closing == "\n")
    }

    @Test func elsewhereEachReportIsAPlainLine() {
        let display = ProgressDisplay(style: .lines, label: "replay", interval: .seconds(10))
        #expect(display.render(fraction: 0.257, status: "read=1") == "replay: 25% read=1\n")
        #expect(display.render(fraction: nil, status: "read=1") == "replay: read=1\n")
        #expect(display.closing == "")
    }

    @Test func backfillProgressShowsTheFileReadAndTheTimeLeft() {
        let progress = BackfillProgress(
            lines: 1000, produced: 990, acknowledged: 900, fileBytesRead: 1 << 20, fileSize: 4 << 20,
            elapsed: .seconds(10))
        #expect(progress.fraction == 0.25)
        #expect(progress.status == "left=30s lines=1000 acknowledged=900/990 records/s=90 read=1.0 MiB/4.0 MiB")
        var unknownSize = progress
        unknownSize.fileSize = nil
        #expect(unknownSize.fraction == nil)
        #expect(unknownSize.status == "lines=1000 acknowledged=900/990 records/s=90 read=1.0 MiB")
    }
}
