import Foundation
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// The last guard of the shutdown bound: once a graceful shutdown starts (SIGTERM,
/// SIGINT, or the worker done), the process ends within `bound` plus a second,
/// whatever still waits. Every step of the worker's own drain keeps to the bound
/// already; this covers what librdkafka or the listener might still wait for.
/// Exiting then is safe: only acknowledged prefixes are ever committed.
///
/// Told first of the group's services (it is added last: the group stops them in
/// reverse order), so its clock starts with the signal.
struct ShutdownWatchdog: Service {
    var bound: Duration

    func run() async throws {
        try? await gracefulShutdown()
        guard !Task.isCancelled else { return }
        let bound = bound
        // A thread, not a task: it must fire even if every task is blocked.
        let thread = Thread {
            Thread.sleep(forTimeInterval: bound / .seconds(1) + 1)
            let message = "usp-worker: the shutdown bound of \(bound) passed; exiting with what was committed\n"
            FileHandle.standardError.write(Data(message.utf8))
            _exit(1)
        }
        thread.name = "usp-shutdown-watchdog"
        thread.start()
    }
}
