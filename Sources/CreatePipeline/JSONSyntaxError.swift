/// The body is not JSON, or nests too deep to be processed: parsing stops.
struct JSONSyntaxError: Error {
    var offset: Int
    var reason: String
    var code: ProblemCode = .invalidJson
}
