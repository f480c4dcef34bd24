import CreatePipeline
import HTTPTypes
import Hummingbird

/// One HTTP request as Graph names it: a fresh `request-id`, the caller's
/// `client-request-id`, the time it arrived. Every response carries both ids as headers;
/// error bodies carry them in `innerError`.
struct GraphExchange: Sendable {
    let requestID: String
    let clientRequestID: String?
    let time: GraphTimestamp

    init(_ request: Request) {
        requestID = GUID.random()
        clientRequestID = request.headers[.clientRequestID]
        time = .now()
    }

    /// The pipeline's context for this request (errors use its ids and time).
    func context(basis: IdempotencyBasis, eventTime: GraphTimestamp? = nil) -> CreateContext {
        CreateContext(
            idempotencyBasis: basis, eventTime: eventTime ?? time, requestID: requestID,
            clientRequestID: clientRequestID, responseTime: time)
    }

    /// `request-id`, `client-request-id` (when sent) and `content-type: application/json`.
    var headers: HTTPFields {
        var headers: HTTPFields = [.contentType: "application/json", .requestID: requestID]
        if let clientRequestID { headers[.clientRequestID] = clientRequestID }
        return headers
    }

    /// `201 Created` with `Location` and the entity as the body.
    func created(_ entity: CreatedEntity, location: String) -> Response {
        var headers = headers
        headers[.location] = location
        return Response(
            status: .created, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: entity.body)))
    }

    /// The error in Graph's shape, with its status.
    ///
    /// - Parameters:
    ///   - extraHeaders: e.g. `Retry-After` for 503, `Allow` for 405.
    ///   - closingConnection: adds `Connection: close`, for a request whose body is left unread.
    func failed(_ error: GraphError, extraHeaders: HTTPFields = [:], closingConnection: Bool = false) -> Response {
        var headers = headers
        headers.append(contentsOf: extraHeaders)
        if closingConnection { headers[.connection] = "close" }
        let body = error.body(context: context(basis: .named(requestID)))
        return Response(
            status: HTTPResponse.Status(code: error.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("request-id")!
    static let clientRequestID = HTTPField.Name("client-request-id")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let traceparent = HTTPField.Name("traceparent")!
    static let tracestate = HTTPField.Name("tracestate")!
}
