import Foundation

/// CPU seconds (user and system) of this process (for `usp-bench worker`, where the
/// embedded cluster runs) and of its children once waited for (kcat, usp-worker); and the
/// CPU clock of the calling thread.
struct CPUTime {
    var own = 0.0
    var children = 0.0

    static func now() -> CPUTime {
        CPUTime(own: seconds(RUSAGE_SELF), children: seconds(RUSAGE_CHILDREN))
    }

    /// CPU time this thread has used: unlike the wall clock, it does not count time the
    /// thread waited for a core, so the figures hold on a machine other builds share.
    static func thisThread() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }

    static func - (lhs: CPUTime, rhs: CPUTime) -> CPUTime {
        CPUTime(own: lhs.own - rhs.own, children: lhs.children - rhs.children)
    }

    private static func seconds(_ who: __rusage_who) -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(who.rawValue), &usage)
        func value(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return value(usage.ru_utime) + value(usage.ru_stime)
    }
}
