/// A string token: `start` is its opening quote, `end` is one past its closing quote.
struct StringToken {
    var start: Int
    var end: Int
    var hasEscapes: Bool
    var problem: StringProblem?

    var contentStart: Int { start + 1 }
    var contentCount: Int { end - start - 2 }
}
