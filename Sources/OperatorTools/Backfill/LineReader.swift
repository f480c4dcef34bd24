#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line of a JSON-lines file, numbered from 1.
enum InputLine: Equatable {
    /// A line's bytes, without its `\n` and without a `\r` before it.
    case text(number: Int, bytes: [UInt8])
    /// A line longer than the limit; its bytes were not kept (`length` is
    /// without the `\n` and a `\r` before it).
    case oversized(number: Int, length: Int)
}

/// Splits decoded input into lines, never holding more than the limit (plus
/// one byte, for a `\r`) of a line in memory: a longer line is counted and
/// reported, not buffered. A final newline does not start another line.
final class LineReader {
    let input: DecodedInput
    let maximumLineSize: Int
    /// Lines handed out so far (blank and oversized ones included).
    private(set) var lineNumber = 0
    /// Decoded bytes consumed so far, newlines included.
    private(set) var bytesConsumed: Int64 = 0

    private var chunk = UnsafeRawBufferPointer(start: nil, count: 0)
    private var position = 0
    /// The start of the current line, from earlier chunks.
    private var partial: [UInt8] = []
    /// The current line's length so far, once it is past the limit.
    private var overflowLength: Int?
    /// Whether the last byte of an overflowing line seen so far is a `\r`.
    private var overflowEndsWithReturn = false
    private var finished = false

    init(input: DecodedInput, maximumLineSize: Int) {
        self.input = input
        self.maximumLineSize = maximumLineSize
    }

    /// The next line, or `nil` at the end of the input.
    func next() throws(OperatorToolError) -> InputLine? {
        while !finished {
            if position == chunk.count {
                guard let next = try input.nextChunk() else {
                    finished = true
                    if partial.isEmpty && overflowLength == nil { return nil }
                    return endLine()
                }
                chunk = next
                position = 0
            }
            let remaining = UnsafeRawBufferPointer(rebasing: chunk[position...])
            let newline = memchr(remaining.baseAddress!, 0x0A, remaining.count)
            let length = newline.map { remaining.baseAddress!.distance(to: UnsafeRawPointer($0)) } ?? remaining.count
            append(UnsafeRawBufferPointer(rebasing: remaining[0..<length]))
            position += length
            bytesConsumed += Int64(length)
            if newline != nil {
                position += 1
                bytesConsumed += 1
                return endLine()
            }
        }
        return nil
    }

    private func append(_ bytes: UnsafeRawBufferPointer) {
        if let last = bytes.last { overflowEndsWithReturn = last == 0x0D }
        if let overflowLength {
            self.overflowLength = overflowLength + bytes.count
        } else if partial.count + bytes.count > maximumLineSize + 1 {
            overflowLength = partial.count + bytes.count
            partial.removeAll(keepingCapacity: false)
        } else {
            partial.append(contentsOf: bytes)
        }
    }

    private func endLine() -> InputLine {
        lineNumber += 1
        defer {
            partial.removeAll(keepingCapacity: true)
            overflowLength = nil
        }
        if let overflowLength {
            return .oversized(number: lineNumber, length: overflowLength - (overflowEndsWithReturn ? 1 : 0))
        }
        if partial.last == 0x0D { partial.removeLast() }
        if partial.count > maximumLineSize {
            return .oversized(number: lineNumber, length: partial.count)
        }
        return .text(number: lineNumber, bytes: partial)
    }
}
