import Foundation
import Synchronization

/// The lines a child writes to a pipe, read on a thread of their own.
final class OutputLines: Sendable {
    private let lines = Mutex<(all: [String], consumed: Int, partial: String)>(([], 0, ""))

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { return }
                lines.withLock { state in
                    state.partial += String(decoding: data, as: UTF8.self)
                    while let newline = state.partial.firstIndex(of: "\n") {
                        state.all.append(String(state.partial[..<newline]))
                        state.partial = String(state.partial[state.partial.index(after: newline)...])
                    }
                }
            }
        }
        thread.start()
    }

    /// The first line not yet taken that matches, taking it and those before it;
    /// nil when none came within `timeout`.
    func waitForLine(timeout: Duration, where matches: (String) -> Bool) -> String? {
        let deadline = ContinuousClock.now + timeout
        repeat {
            let found: String? = lines.withLock { state in
                guard let index = state.all[state.consumed...].firstIndex(where: matches) else { return nil }
                state.consumed = index + 1
                return state.all[index]
            }
            if let found { return found }
            Thread.sleep(forTimeInterval: 0.01)
        } while ContinuousClock.now < deadline
        return nil
    }
}
