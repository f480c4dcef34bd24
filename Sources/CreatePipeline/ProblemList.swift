/// The problems found in one body, in document order, bounded so hostile input cannot
/// grow it without limit.
struct ProblemList {
    /// At most this many problems are kept (and reported in `details`); the rest are only counted.
    static let maximumDetailCount = 100

    private(set) var details: [GraphErrorDetail] = []
    private(set) var totalCount = 0

    var isEmpty: Bool { totalCount == 0 }

    /// Records a problem; the target and message are only built while there is room for them.
    mutating func add(_ code: ProblemCode, target: @autoclosure () -> String?, message: @autoclosure () -> String) {
        totalCount += 1
        guard details.count < Self.maximumDetailCount else { return }
        details.append(GraphErrorDetail(code, message(), target: target()))
    }

    /// Records a problem whose target is `path` and whose message is built from it; the
    /// path is built once, and only while there is room for the detail.
    mutating func add(_ code: ProblemCode, _ path: () -> String, message: (String) -> String) {
        totalCount += 1
        guard details.count < Self.maximumDetailCount else { return }
        let target = path()
        details.append(GraphErrorDetail(code, message(target), target: target))
    }

    /// The `400 BadRequest` error reporting these problems.
    var error: GraphError {
        let first = details[0]
        var message = first.message
        if totalCount > 1 {
            let listed = details.count < totalCount ? "the first \(details.count) are listed" : "all are listed"
            message += " (\(totalCount) problems in all; \(listed) in details.)"
        }
        return .badRequest(message, target: first.target, details: details)
    }
}
