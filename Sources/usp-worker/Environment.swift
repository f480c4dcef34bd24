import ArgumentParser

import class Foundation.ProcessInfo

/// `USP_<NAME>` from the environment, when set and not empty.
func environment(_ name: String) -> String? {
    guard let value = ProcessInfo.processInfo.environment["USP_" + name], !value.isEmpty else { return nil }
    return value
}

/// Parses an environment value with the same parser the flag uses, naming the variable on failure.
func environment<T: ExpressibleByArgument>(_ name: String, as type: T.Type) throws -> T? {
    guard let text = environment(name) else { return nil }
    guard let value = T(argument: text) else { throw ValidationError("USP_\(name): cannot read '\(text)'") }
    return value
}
