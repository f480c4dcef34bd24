/// Why a string's content is not valid (the first problem in it).
enum StringProblem {
    case invalidUTF8
    case controlCharacter
    case invalidEscape
    case loneSurrogate

    var code: ProblemCode {
        self == .invalidUTF8 ? .invalidUTF8 : .invalidString
    }

    var explanation: String {
        switch self {
        case .invalidUTF8: "holds bytes that are not UTF-8"
        case .controlCharacter: "holds an unescaped control character"
        case .invalidEscape: "holds an invalid escape sequence"
        case .loneSurrogate: "holds an escape that is not a Unicode scalar (a lone surrogate)"
        }
    }
}
