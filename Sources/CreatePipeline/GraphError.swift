/// An error answered the way Microsoft Graph answers: an HTTP status, a stable code,
/// a message for people, the first offending property (`target`) and every problem found
/// (`details`).
public struct GraphError: Error, Sendable, Hashable {
    /// The HTTP status (400, 401, 403, 404, 405, 413, 415, 503, 504).
    public let status: Int
    /// A stable code, e.g. `BadRequest`; clients branch on it.
    public let code: String
    /// For people; may change.
    public let message: String
    /// The first offending property's path in document order (`accounts[0].lastSeenDateTime`),
    /// or nil when the problem is not about one property (e.g. the body is not JSON).
    public let target: String?
    /// Every problem found, in document order (bounded; see `CreatePipeline.maximumDetailCount`).
    public let details: [GraphErrorDetail]
    /// The id of an entity the failed request may have created anyway (a 504 whose entity may
    /// have been written), so the client can look for it before it retries; `innerError.id`.
    public let entityID: String?

    public init(
        status: Int, code: String, message: String, target: String? = nil, details: [GraphErrorDetail] = [],
        entityID: String? = nil
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.details = details
        self.entityID = entityID
    }

    /// 400 `BadRequest`: the body is not a valid userSecurityProfile.
    public static func badRequest(_ message: String, target: String? = nil, details: [GraphErrorDetail] = [])
        -> GraphError
    {
        GraphError(status: 400, code: "BadRequest", message: message, target: target, details: details)
    }

    /// 401 `InvalidAuthenticationToken`: no token, or one that does not authenticate.
    public static func unauthorized(_ message: String) -> GraphError {
        GraphError(status: 401, code: "InvalidAuthenticationToken", message: message)
    }

    /// 403 `Forbidden`: authenticated, but not allowed to create userSecurityProfiles.
    public static func forbidden(_ message: String) -> GraphError {
        GraphError(status: 403, code: "Forbidden", message: message)
    }

    /// 404 `NotFound`: no such resource (for an HTTP front end).
    public static func notFound(_ message: String) -> GraphError {
        GraphError(status: 404, code: "NotFound", message: message)
    }

    /// 405 `MethodNotAllowed`: the resource does not support the HTTP method (for an HTTP front end).
    public static func methodNotAllowed(_ message: String) -> GraphError {
        GraphError(status: 405, code: "MethodNotAllowed", message: message)
    }

    /// 413 `RequestEntityTooLarge`: the body is larger than the configured limit; it was not parsed.
    public static func requestEntityTooLarge(size: Int, limit: Int) -> GraphError {
        requestEntityTooLarge("The request body is \(size) bytes; the limit is \(limit) bytes.")
    }

    /// 413 `RequestEntityTooLarge` for a body found larger than `limit` while it was read.
    public static func requestEntityTooLarge(limit: Int) -> GraphError {
        requestEntityTooLarge("The request body is larger than the limit of \(limit) bytes.")
    }

    /// 413 `RequestEntityTooLarge`, saying what was too large for what.
    public static func requestEntityTooLarge(_ message: String) -> GraphError {
        GraphError(status: 413, code: "RequestEntityTooLarge", message: message)
    }

    /// 415 `UnsupportedMediaType`: the body is not `application/json` (for an HTTP front end).
    public static func unsupportedMediaType(_ message: String) -> GraphError {
        GraphError(status: 415, code: "UnsupportedMediaType", message: message)
    }

    /// 503 `ServiceUnavailable`: the service cannot take the request now; retry later.
    public static func serviceUnavailable(_ message: String) -> GraphError {
        GraphError(status: 503, code: "ServiceUnavailable", message: message)
    }

    /// 504 `GatewayTimeout`: the entity `entityID` was sent on but not confirmed in time, so it
    /// may have been created; look for it before retrying (for an HTTP front end).
    public static func gatewayTimeout(_ message: String, entityID: String) -> GraphError {
        GraphError(status: 504, code: "GatewayTimeout", message: message, entityID: entityID)
    }

    /// The whole error body, compact UTF-8 JSON:
    /// `{"error":{"code":…,"message":…,"target":…,"details":[…],"innerError":{"date":…,"request-id":…,"client-request-id":…}}}`.
    /// `target` is omitted when nil; `details` is always present; `innerError` ends with
    /// `"id":…` when there is an ``entityID``.
    public func body(context: CreateContext) -> [UInt8] {
        var writer = JSONTextWriter()
        writer.append(#"{"error":"#)
        appendErrorObject(to: &writer, context: context)
        writer.append("}")
        return writer.bytes
    }

    /// Just the value of the body's `error` member (what `usp-worker process` prints).
    public func errorObject(context: CreateContext) -> [UInt8] {
        var writer = JSONTextWriter()
        appendErrorObject(to: &writer, context: context)
        return writer.bytes
    }

    /// Appends the value of the body's `error` member to `bytes` (what `errorObject` returns).
    func appendErrorObject(to bytes: inout [UInt8], context: CreateContext) {
        var writer = JSONTextWriter(capacity: 0)
        swap(&writer.bytes, &bytes)
        appendErrorObject(to: &writer, context: context)
        swap(&writer.bytes, &bytes)
    }

    private func appendErrorObject(to writer: inout JSONTextWriter, context: CreateContext) {
        writer.append(#"{"code":"#)
        writer.appendString(code)
        writer.append(#","message":"#)
        writer.appendString(message)
        if let target {
            writer.append(#","target":"#)
            writer.appendString(target)
        }
        writer.append(#","details":["#)
        for (index, detail) in details.enumerated() {
            if index > 0 { writer.append(",") }
            writer.append(#"{"code":"#)
            writer.appendString(detail.code)
            writer.append(#","message":"#)
            writer.appendString(detail.message)
            if let target = detail.target {
                writer.append(#","target":"#)
                writer.appendString(target)
            }
            writer.append("}")
        }
        writer.append(#"],"innerError":{"date":""#)
        writer.append(context.responseTime.formatted)
        writer.append(#"","request-id":"#)
        writer.appendString(context.requestID)
        writer.append(#","client-request-id":"#)
        // Graph echoes the request id when the client sent no client-request-id.
        writer.appendString(context.clientRequestID ?? context.requestID)
        if let entityID {
            writer.append(#","id":"#)
            writer.appendString(entityID)
        }
        writer.append("}}")
    }
}
