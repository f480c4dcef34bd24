import Foundation

/// Runs `body` until it returns true or `timeout` passes, checking every 20 ms; returns whether it held.
/// For code that cannot wait asynchronously; an `async` caller writes `await` and gets the overload below.
@_disfavoredOverload
public func eventually(timeout: Duration, _ body: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try body() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return try body()
}

/// Checks `condition` every 100 ms, without holding a thread, until it holds or `timeout` passes;
/// returns whether it held.
public func eventually(timeout: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}
