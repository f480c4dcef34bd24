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
        guard body.count <= maximumBodySize else {
            return .rejected(.requestEntityTooLarge(size: body.count, limit: maximumBodySize))
        }
        return body.withMemoryRebound(to: UInt8.self) { bytes in
            guard var base = bytes.baseAddress else { return .rejected(Self.emptyBodyError) }
            var count = bytes.count
            if count >= 3, base[0] == 0xEF, base[1] == 0xBB, base[2] == 0xBF {  // UTF-8 byte order mark
                base += 3
                count -= 3
            }
            let lexer = JSONLexer(base: base, count: count)
            guard lexer.skippingWhitespace(from: 0) < count else { return .rejected(Self.emptyBodyError) }
            return create(lexer, context: context)
        }
    }

    /// Validates `body` and builds the entity (see `create(_:context:)` for buffers).
    public func create(_ body: [UInt8], context: CreateContext) -> CreateResult {
        body.withUnsafeBytes { create($0, context: context) }
    }

    private func create(_ lexer: JSONLexer, context: CreateContext) -> CreateResult {
        // The entity buffer is allocated first: the validator writes the accounts into it.
        // It is discarded when the body is rejected.
        var rejection: GraphError?
        var entityID = ""
        var tenantID = ""
        var vendor: String?
        let capacity = lexer.end + EntityWriter.maximumGrowth
        let body = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initializedCount in
            initializedCount = 0
            let output = buffer.baseAddress!
            withUnsafeTemporaryAllocation(of: ValueSpan.self, capacity: 2 * Self.spanTableSize) { spanTables in
                spanTables.initialize(repeating: .absent)
                let spans = UnsafeMutableBufferPointer(rebasing: spanTables[0..<Self.spanTableSize])
                let vendorSpans = UnsafeMutableBufferPointer(rebasing: spanTables[Self.spanTableSize...])
                let accountsOutput = OutputCursor(
                    base: output + EntityWriter.accountsOffset, capacity: capacity - EntityWriter.accountsOffset)
                var validator = BodyValidator(lexer: lexer, accountsOutput: accountsOutput, complexPropertySpans: vendorSpans)
                do throws(JSONSyntaxError) {
                    try validator.validateBody(spans: spans)
                } catch {
                    rejection = Self.syntaxError(error)
                    return
                }
                guard validator.problems.isEmpty else {
                    rejection = validator.problems.error
                    return
                }
                let id = self.entityID(basis: context.idempotencyBasis, tenant: spans[EntitySchema.Root.azureTenantId], lexer: lexer)
                var writer = EntityWriter(lexer: lexer, output: OutputCursor(base: output, capacity: capacity))
                writer.writeEntity(
                    spans: spans, vendorSpans: vendorSpans, accountsLength: validator.accountsOutput.count, id: id,
                    eventTime: context.eventTime)
                initializedCount = writer.output.count
                entityID = id.formatted
                tenantID = Self.decodedString(spans[EntitySchema.Root.azureTenantId], lexer: lexer) ?? ""
                vendor = Self.decodedString(vendorSpans[EntitySchema.VendorInformation.vendor], lexer: lexer)
            }
        }
        if let rejection { return .rejected(rejection) }
        return .created(CreatedEntity(id: entityID, body: body, azureTenantId: tenantID, vendor: vendor))
    }

    /// A validated string value, decoded; nil when absent or `null`.
    private static func decodedString(_ span: ValueSpan, lexer: JSONLexer) -> String? {
        guard span.kind == .string else { return nil }
        let token = StringToken(start: span.start, end: span.end, hasEscapes: span.hasEscapes, problem: nil)
        guard token.hasEscapes else {
            return String(
                decoding: UnsafeBufferPointer(start: lexer.base + token.contentStart, count: token.contentCount), as: UTF8.self)
        }
        return String(decoding: lexer.decodedBytes(of: token), as: UTF8.self)
    }

    /// Room for a type's declared properties and its `@odata.type`.
    private static let spanTableSize = EntitySchema.maximumPropertyCount + 1

    /// The entity id: a version 5 UUID of the basis (and, for idempotency keys, of the tenant).
    private func entityID(basis: IdempotencyBasis, tenant: ValueSpan, lexer: JSONLexer) -> UUIDBytes {
        let token = StringToken(start: tenant.start, end: tenant.end, hasEscapes: tenant.hasEscapes, problem: nil)
        guard case .idempotencyKey = basis, token.hasEscapes else {
            return basis.entityID(tenant: UnsafeRawBufferPointer(start: lexer.base + token.contentStart, count: token.contentCount))
        }
        let decoded = lexer.decodedBytes(of: token)
        return decoded.withUnsafeBytes { basis.entityID(tenant: $0) }
    }

    private static let emptyBodyError = GraphError.badRequest(
        "The body is empty; it must be a userSecurityProfile JSON object.",
        details: [GraphErrorDetail(.emptyBody, "The body is empty; it must be a userSecurityProfile JSON object.", target: nil)]
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
