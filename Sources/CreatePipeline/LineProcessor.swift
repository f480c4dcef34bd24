#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the pipeline over JSON lines (the `usp-worker process` command): one body per line,
/// entities out as JSON lines, one JSON line per rejected input.
///
/// Fed in chunks of any size; a line that grows past the size limit is not buffered
/// further (memory stays bounded) and is rejected with 413 once its end is seen.
public struct LineProcessor: Sendable {
    /// How many lines were read, created and rejected so far.
    public struct Summary: Sendable, Hashable {
        public var read = 0
        public var created = 0
        public var rejected = 0

        public init(read: Int = 0, created: Int = 0, rejected: Int = 0) {
            self.read = read
            self.created = created
            self.rejected = rejected
        }

        /// `{"summary":{"read":N,"created":C,"rejected":R}}` and a newline: JSON, like the error lines.
        public var line: [UInt8] {
            Array(#"{"summary":{"read":\#(read),"created":\#(created),"rejected":\#(rejected)}}"#.utf8) + [0x0A]
        }
    }

    public let pipeline: CreatePipeline
    /// Names the input in idempotency bases: line N's basis is `.named("<inputName>:<N>")`.
    public let inputName: String
    private let clock: @Sendable () -> GraphTimestamp
    private let requestIDs: @Sendable () -> String

    public private(set) var summary = Summary()
    /// `inputName` and `:`, the start of every line's basis name.
    private let basisPrefix: [UInt8]
    /// Where entities are written before they are appended to the output (reused).
    private var scratch: [UInt8] = []
    private var pending: [UInt8] = []
    /// Bytes of the current line beyond what `pending` holds, once it exceeds the limit.
    private var pendingOverflow = 0

    /// - Parameters:
    ///   - clock: the event time (for created/lastModified when not sent) and the error response time.
    ///   - requestIDs: a request id for each rejected line's error.
    public init(
        pipeline: CreatePipeline = CreatePipeline(),
        inputName: String,
        clock: @escaping @Sendable () -> GraphTimestamp = { GraphTimestamp.now() },
        requestIDs: @escaping @Sendable () -> String = { GUID.random() }
    ) {
        self.pipeline = pipeline
        self.inputName = inputName
        self.clock = clock
        self.requestIDs = requestIDs
        self.basisPrefix = Array(inputName.utf8) + [UInt8(ascii: ":")]
    }

    /// Processes the complete lines in `chunk` (and keeps an unfinished last line for the
    /// next call), appending entity lines to `entities` and rejection lines to `rejections`.
    public mutating func consume(_ chunk: UnsafeRawBufferPointer, entities: inout [UInt8], rejections: inout [UInt8]) {
        guard let base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var lineStart = 0
        while lineStart < chunk.count {
            guard let newline = Self.firstNewline(in: base + lineStart, count: chunk.count - lineStart) else {
                appendToPending(UnsafeRawBufferPointer(start: base + lineStart, count: chunk.count - lineStart))
                return
            }
            let line = UnsafeRawBufferPointer(start: base + lineStart, count: newline)
            if pending.isEmpty, pendingOverflow == 0 {
                process(line, entities: &entities, rejections: &rejections)
            } else {
                appendToPending(line)
                processPending(entities: &entities, rejections: &rejections)
            }
            lineStart += newline + 1
        }
    }

    /// Processes a last line that has no newline, if any.
    public mutating func finish(entities: inout [UInt8], rejections: inout [UInt8]) {
        if !pending.isEmpty || pendingOverflow > 0 {
            processPending(entities: &entities, rejections: &rejections)
        }
    }

    /// Processes a whole input at once (for tests and small inputs).
    public static func process(
        _ input: [UInt8], processor: LineProcessor
    ) -> (entities: [UInt8], rejections: [UInt8], summary: Summary) {
        var processor = processor
        var entities: [UInt8] = []
        var rejections: [UInt8] = []
        input.withUnsafeBytes { processor.consume($0, entities: &entities, rejections: &rejections) }
        processor.finish(entities: &entities, rejections: &rejections)
        return (entities, rejections, processor.summary)
    }

    private mutating func appendToPending(_ bytes: UnsafeRawBufferPointer) {
        if pendingOverflow > 0 || pending.count + bytes.count > pipeline.maximumBodySize + 1 {
            // +1: a line may end with a carriage return that is not part of the body.
            pendingOverflow += pending.count + bytes.count
            pending.removeAll()
        } else {
            pending.append(contentsOf: bytes)
        }
    }

    private mutating func processPending(entities: inout [UInt8], rejections: inout [UInt8]) {
        if pendingOverflow > 0 {
            summary.read += 1
            reject(
                .requestEntityTooLarge(size: pendingOverflow, limit: pipeline.maximumBodySize), rejections: &rejections)
            pendingOverflow = 0
        } else {
            let line = pending
            line.withUnsafeBytes { process($0, entities: &entities, rejections: &rejections) }
        }
        pending.removeAll(keepingCapacity: pending.count <= 65_536)
    }

    private mutating func process(_ line: UnsafeRawBufferPointer, entities: inout [UInt8], rejections: inout [UInt8]) {
        summary.read += 1
        var body = line
        if let last = body.last, last == 0x0D {  // CRLF line ends
            body = UnsafeRawBufferPointer(rebasing: body.dropLast())
        }
        let context = CreateContext(
            idempotencyBasis: .named(lineBasisName()), eventTime: clock(), requestID: "",
            responseTime: GraphTimestamp(ticksSinceUnixEpoch: 0))
        if let error = pipeline.create(body, context: context, appendingTo: &entities, scratch: &scratch) {
            reject(error, rejections: &rejections)
        } else {
            summary.created += 1
            entities.append(0x0A)
        }
    }

    /// `{"line":N,"status":S,"error":{…}}` and a newline.
    private mutating func reject(_ error: GraphError, rejections: inout [UInt8]) {
        summary.rejected += 1
        let context = CreateContext(
            idempotencyBasis: .named(lineBasisName()), eventTime: clock(), requestID: requestIDs(),
            responseTime: clock())
        rejections.append(contentsOf: #"{"line":"#.utf8)
        Self.appendDecimal(summary.read, to: &rejections)
        rejections.append(contentsOf: #","status":"#.utf8)
        Self.appendDecimal(error.status, to: &rejections)
        rejections.append(contentsOf: #","error":"#.utf8)
        error.appendErrorObject(to: &rejections, context: context)
        rejections.append(contentsOf: "}\n".utf8)
    }

    /// `<inputName>:<line number>`, the name of the current line's idempotency basis.
    private func lineBasisName() -> String {
        let count = basisPrefix.count + 20
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { buffer in
            let base = buffer.baseAddress!
            basisPrefix.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: $0.count) }
            let digits = DecimalFormatting.write(Int64(summary.read), into: base + basisPrefix.count)
            return String(decoding: UnsafeBufferPointer(start: base, count: basisPrefix.count + digits), as: UTF8.self)
        }
    }

    private static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            let count = DecimalFormatting.write(Int64(value), into: digits.baseAddress!)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[0..<count]))
        }
    }

    private static func firstNewline(in bytes: UnsafePointer<UInt8>, count: Int) -> Int? {
        guard let found = memchr(bytes, 0x0A, count) else { return nil }
        return UnsafeRawPointer(found) - UnsafeRawPointer(bytes)
    }
}
