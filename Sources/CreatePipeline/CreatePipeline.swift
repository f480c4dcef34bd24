/// The create operation of `POST /security/userSecurityProfiles`, without transport:
/// request bytes and a context in, the `201` entity or a Graph error out.
///
/// Every front end (the Kafka worker, `usp-worker process`, an HTTP endpoint) shares it, so
/// they all accept and reject exactly the same bodies. It is a plain value: safe to share
/// between threads, no state between calls.
public struct CreatePipeline: Sendable {
    /// 1 MiB: the default largest body accepted (a body of exactly this size is accepted).
    public static let defaultMaximumBodySize = 1_048_576
    /// At most this many problems are listed in a `400` error's `details`; the message gives the total.
    public static let maximumDetailCount = ProblemList.maximumDetailCount
    /// The deepest nesting accepted inside values the schema does not describe (annotations,
    /// unknown properties); deeper bodies are rejected with `NestingTooDeep`.
    public static let maximumNestingDepth = BodyValidator.maximumNestingDepth

    /// The largest entity a body of `bodySize` bytes can become: the entity adds
    /// `@odata.type`, `id` and the timestamps not sent, and copies everything else from
    /// the body or leaves it out, so it is at most a fixed amount longer than the body.
    public static func maximumEntitySize(forBodySize bodySize: Int) -> Int {
        bodySize + EntityWriter.maximumGrowth
    }

    /// Bodies larger than this many bytes are rejected with 413 without being parsed.
    public let maximumBodySize: Int

    public init(maximumBodySize: Int = defaultMaximumBodySize) {
        self.maximumBodySize = max(0, maximumBodySize)
    }

    /// Validates `body` (a userSecurityProfile create request, UTF-8 JSON) and builds the entity.
    ///
    /// Reads the bytes in place (e.g. straight from a Kafka message buffer) and does not keep
    /// them. Never traps on any input; work and memory are linear in the body's size.
    public func create(_ body: UnsafeRawBufferPointer, context: CreateContext) -> CreateResult {
        body.withMemoryRebound(to: UInt8.self) { bytes in
            switch lexer(for: bytes) {
            case .failure(let error): .rejected(error)
            case .success(let lexer): create(lexer, context: context)
            }
        }
    }

    /// Validates `body` and builds the entity (see `create(_:context:)` for buffers).
    public func create(_ body: [UInt8], context: CreateContext) -> CreateResult {
        body.withUnsafeBytes { create($0, context: context) }
    }

    /// Validates `body` and appends its entity to `output`; the error when it is rejected.
    /// What `create(_:context:)` does without the `CreatedEntity` (no buffer or strings of
    /// its own): the entity is written into `scratch` (grown as needed, reused by the next
    /// call) and copied to `output`.
    func create(
        _ body: UnsafeRawBufferPointer, context: CreateContext, appendingTo output: inout [UInt8],
        scratch: inout [UInt8]
    ) -> GraphError? {
        body.withMemoryRebound(to: UInt8.self) { bytes in
            let lexer: JSONLexer
            switch self.lexer(for: bytes) {
            case .failure(let error): return error
            case .success(let bodyLexer): lexer = bodyLexer
            }
            let capacity = lexer.end + EntityWriter.maximumGrowth
            if scratch.count < capacity {
                scratch = [UInt8](repeating: 0, count: max(capacity, 2 * scratch.count))
            }
            return scratch.withUnsafeMutableBufferPointer { buffer in
                switch writeEntity(lexer, context: context, to: buffer.baseAddress!, capacity: capacity) {
                case .rejected(let error):
                    return error
                case .written(let entity):
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<entity.count]))
                    return nil
                }
            }
        }
    }

    /// The lexer over the body to parse (without a byte order mark), or the error when the
    /// body is too large or empty.
    private func lexer(for bytes: UnsafeBufferPointer<UInt8>) -> Result<JSONLexer, GraphError> {
        guard bytes.count <= maximumBodySize else {
            return .failure(.requestEntityTooLarge(size: bytes.count, limit: maximumBodySize))
        }
        guard var base = bytes.baseAddress else { return .failure(Self.emptyBodyError) }
        var count = bytes.count
        if count >= 3, base[0] == 0xEF, base[1] == 0xBB, base[2] == 0xBF {  // UTF-8 byte order mark
            base += 3
            count -= 3
        }
        let lexer = JSONLexer(base: base, count: count)
        guard lexer.skippingWhitespace(from: 0) < count else { return .failure(Self.emptyBodyError) }
        return .success(lexer)
    }

    private func create(_ lexer: JSONLexer, context: CreateContext) -> CreateResult {
        // The entity buffer is allocated first: the validator writes the accounts into it.
        // It is discarded when the body is rejected.
        var outcome = EntityOutcome.rejected(Self.emptyBodyError)
        let capacity = lexer.end + EntityWriter.maximumGrowth
        let body = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initializedCount in
            outcome = writeEntity(lexer, context: context, to: buffer.baseAddress!, capacity: capacity)
            if case .written(let entity) = outcome {
                initializedCount = entity.count
            } else {
                initializedCount = 0
            }
        }
        switch outcome {
        case .rejected(let error):
            return .rejected(error)
        case .written(let entity):
            return .created(
                CreatedEntity(
                    id: entity.id.formatted, body: body,
                    azureTenantId: Self.decodedString(entity.tenant, lexer: lexer) ?? "",
                    vendor: Self.decodedString(entity.vendor, lexer: lexer)))
        }
    }

    /// An entity written to a buffer, or why the body was rejected.
    private enum EntityOutcome {
        case written(WrittenEntity)
        case rejected(GraphError)
    }

    private struct WrittenEntity {
        /// The entity's length in bytes.
        var count: Int
        var id: UUIDBytes
        /// Where the body's `azureTenantId` and `vendorInformation.vendor` values are.
        var tenant: ValueSpan
        var vendor: ValueSpan
    }

    /// Validates the body and writes its entity at `output` (`capacity` bytes, at least
    /// `lexer.end + EntityWriter.maximumGrowth`).
    private func writeEntity(
        _ lexer: JSONLexer, context: CreateContext, to output: UnsafeMutablePointer<UInt8>, capacity: Int
    ) -> EntityOutcome {
        withUnsafeTemporaryAllocation(of: ValueSpan.self, capacity: 2 * Self.spanTableSize) { spanTables in
            spanTables.initialize(repeating: .absent)
            let spans = UnsafeMutableBufferPointer(rebasing: spanTables[0..<Self.spanTableSize])
            let vendorSpans = UnsafeMutableBufferPointer(rebasing: spanTables[Self.spanTableSize...])
            let accountsOutput = OutputCursor(
                base: output + EntityWriter.accountsOffset, capacity: capacity - EntityWriter.accountsOffset)
            var validator = BodyValidator(
                lexer: lexer, accountsOutput: accountsOutput, complexPropertySpans: vendorSpans)
            do throws(JSONSyntaxError) {
                try validator.validateBody(spans: spans)
            } catch {
                return .rejected(Self.syntaxError(error))
            }
            guard validator.problems.isEmpty else {
                return .rejected(validator.problems.error)
            }
            let tenant = spans[EntitySchema.Root.azureTenantId]
            let id = self.entityID(basis: context.idempotencyBasis, tenant: tenant, lexer: lexer)
            var writer = EntityWriter(lexer: lexer, output: OutputCursor(base: output, capacity: capacity))
            writer.writeEntity(
                spans: spans, vendorSpans: vendorSpans, accountsLength: validator.accountsOutput.count, id: id,
                eventTime: context.eventTime)
            return .written(
                WrittenEntity(
                    count: writer.output.count, id: id, tenant: tenant,
                    vendor: vendorSpans[EntitySchema.VendorInformation.vendor]))
        }
    }

    /// A validated string value, decoded; nil when absent or `null`.
    private static func decodedString(_ span: ValueSpan, lexer: JSONLexer) -> String? {
        guard span.kind == .string else { return nil }
        let token = StringToken(start: span.start, end: span.end, hasEscapes: span.hasEscapes, problem: nil)
        guard token.hasEscapes else {
            return String(
                decoding: UnsafeBufferPointer(start: lexer.base + token.contentStart, count: token.contentCount),
                as: UTF8.self)
        }
        return String(decoding: lexer.decodedBytes(of: token), as: UTF8.self)
    }

    /// Room for a type's declared properties and its `@odata.type`.
    private static let spanTableSize = EntitySchema.maximumPropertyCount + 1

    /// The entity id: a version 5 UUID of the basis (and, for idempotency keys, of the tenant).
    private func entityID(basis: IdempotencyBasis, tenant: ValueSpan, lexer: JSONLexer) -> UUIDBytes {
        let token = StringToken(start: tenant.start, end: tenant.end, hasEscapes: tenant.hasEscapes, problem: nil)
        guard case .idempotencyKey = basis, token.hasEscapes else {
            return basis.entityID(
                tenant: UnsafeRawBufferPointer(start: lexer.base + token.contentStart, count: token.contentCount))
        }
        let decoded = lexer.decodedBytes(of: token)
        return decoded.withUnsafeBytes { basis.entityID(tenant: $0) }
    }

    private static let emptyBodyError = GraphError.badRequest(
        "The body is empty; it must be a userSecurityProfile JSON object.",
        details: [
            GraphErrorDetail(
                .emptyBody, "The body is empty; it must be a userSecurityProfile JSON object.", target: nil)
        ]
    )

    private static func syntaxError(_ error: JSONSyntaxError) -> GraphError {
        let message: String
        if error.code == .nestingTooDeep {
            message = "The body cannot be processed: \(error.reason) (at byte \(error.offset))."
        } else {
            message = "The body is not valid JSON: \(error.reason) (at byte \(error.offset))."
        }
        return .badRequest(message, details: [GraphErrorDetail(error.code, message, target: nil)])
    }
}
