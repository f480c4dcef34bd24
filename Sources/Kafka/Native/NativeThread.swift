#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A dedicated POSIX thread running one closure, joinable.
///
/// The closure is boxed and passed to `pthread_create` retained once; the new
/// thread takes that reference (the box's only owner) and releases it when the
/// closure returns.
struct NativeThread: @unchecked Sendable {
    // `pthread_t` is an integer (Linux) or an opaque pointer (Darwin) that is only
    // compared, joined or detached: sharing it between threads is safe.
    let handle: pthread_t

    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    static func start(_ body: @escaping @Sendable () -> Void) -> NativeThread {
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        #if canImport(Glibc)
        var handle = pthread_t()
        #else
        var handle: pthread_t? = nil
        #endif
        let result = pthread_create(
            &handle, nil,
            { argument in
                let body = Unmanaged<Body>.fromOpaque(argument!).takeRetainedValue()
                body.run()
                return nil
            }, box)
        precondition(result == 0, "pthread_create failed: \(result)")
        #if canImport(Glibc)
        return NativeThread(handle: handle)
        #else
        return NativeThread(handle: handle!)
        #endif
    }

    var isCurrent: Bool { pthread_equal(pthread_self(), handle) != 0 }

    func join() { pthread_join(handle, nil) }
    func detach() { pthread_detach(handle) }
}
