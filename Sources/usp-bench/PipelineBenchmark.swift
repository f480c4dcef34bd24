import ArgumentParser
import CreatePipeline
import Foundation
import Kafka

#if canImport(Glibc)
import Glibc
#endif

/// `usp-bench pipeline`: create-pipeline throughput on a realistic mix of events.
struct PipelineBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Measures the create pipeline alone: events/s and MB/s, for the whole mix and for valid events.",
        discussion: """
            Events are the API page's example with varied values, 1–5 accounts, and 10% invalid \
            (bad dates, unknown or read-only properties, nulls, wrong types, missing properties, \
            trailing bytes). They sit back to back in one buffer and are passed as slices of it, as \
            Kafka message buffers are. Heap allocations per event are printed when the process \
            runs with an allocation counter preloaded: save --allocation-counter-source as \
            counter.c, build it with `cc -O2 -shared -fPIC -o counter.so counter.c` and run \
            `LD_PRELOAD=./counter.so usp-bench pipeline`.
            """
    )

    @Option(help: "How many events to generate.")
    var events = 200_000

    @Option(help: "Timed passes over the events per measurement; the best pass is reported.")
    var passes = 5

    @Option(help: "Seed of the event generator.")
    var seed: UInt64 = 42

    @Flag(help: "Also measure Foundation's JSONSerialization (parse and re-serialize) on the valid events.")
    var compareFoundation = false

    @Flag(help: "Print the C source of the malloc-counting library that makes allocations per event visible, and exit.")
    var allocationCounterSource = false

    func validate() throws {
        guard events > 0, passes > 0 else { throw ValidationError("--events and --passes must be positive.") }
    }

    func run() throws {
        if allocationCounterSource {
            print(AllocationCounter.source)
            return
        }
        var generator = EventGenerator(seed: seed)
        let mix = EventBuffer((0..<events).map { _ in generator.next() })
        let valid = EventBuffer(mix.bodies.enumerated().filter { !mix.invalid[$0.offset] }.map(\.element))
        let pipeline = CreatePipeline()

        print(
            "pipeline: \(mix.count) events (\(valid.count) valid, \(mix.count - valid.count) invalid), "
                + "\(mix.totalBytes / mix.count) bytes on average")
        let mixResult = measure(mix, pipeline: pipeline)
        print(mixResult.line(label: "mix  "))
        let validResult = measure(valid, pipeline: pipeline)
        print(validResult.line(label: "valid"))
        if let count = AllocationCounter.read {
            for (label, buffer) in [("mix  ", mix), ("valid", valid)] {
                let before = count()
                _ = runPass(buffer, pipeline: pipeline)
                let allocations = count() - before
                print(
                    "  \(label): \(String(format: "%.2f", Double(allocations) / Double(buffer.count))) heap allocations per event "
                        + "(malloc, calloc, realloc, posix_memalign and aligned_alloc calls, counted by the preloaded counter)"
                )
            }
        } else {
            print("  allocations per event: not counted (see --help: preload the allocation counter)")
        }
        if compareFoundation {
            let foundation = measureFoundation(valid)
            print(foundation.line(label: "valid, Foundation JSONSerialization parse + serialize"))
        }
    }

    struct Measurement {
        var events: Int
        var bytes: Int
        /// Wall-clock time of the best pass.
        var best: Duration
        /// CPU time of this thread in the best pass (what one core spent, even on a busy machine).
        var bestCPU: Duration
        var created: Int

        func line(label: String) -> String {
            let seconds = best.seconds
            let cpuSeconds = bestCPU.seconds
            return "  \(label): \(Int(Double(events) / seconds)) events/s, "
                + "\(String(format: "%.1f", Double(bytes) / seconds / 1_000_000)) MB/s wall clock; "
                + "\(Int(Double(events) / cpuSeconds)) events/s, "
                + "\(String(format: "%.1f", Double(bytes) / cpuSeconds / 1_000_000)) MB/s per CPU second "
                + "(\(events) events, \(created) created, best pass \(String(format: "%.1f", seconds * 1000)) ms)"
        }
    }

    private func measure(_ buffer: EventBuffer, pipeline: CreatePipeline) -> Measurement {
        let clock = ContinuousClock()
        var best = Duration.seconds(1_000_000)
        var bestCPU = Duration.seconds(1_000_000)
        var created = 0
        for _ in 0..<passes {
            let cpuStart = CPUTime.thisThread()
            let elapsed = clock.measure {
                created = runPass(buffer, pipeline: pipeline)
            }
            best = min(best, elapsed)
            bestCPU = min(bestCPU, CPUTime.thisThread() - cpuStart)
        }
        return Measurement(
            events: buffer.count, bytes: buffer.totalBytes, best: best, bestCPU: bestCPU, created: created)
    }

    /// Creates every event of `buffer` once; returns how many were created.
    private func runPass(_ buffer: EventBuffer, pipeline: CreatePipeline) -> Int {
        var created = 0
        buffer.storage.withUnsafeBytes { storage in
            for index in 0..<buffer.count {
                let body = UnsafeRawBufferPointer(rebasing: storage[buffer.ranges[index]])
                let context = CreateContext(
                    idempotencyBasis: .record(topic: "userSecurityProfiles.create", partition: 0, offset: Int64(index)),
                    eventTime: GraphTimestamp(unixMilliseconds: 1_700_000_000_000 + Int64(index)),
                    requestID: "", responseTime: GraphTimestamp(unixMilliseconds: 0))
                if case .created(let entity) = pipeline.create(body, context: context) {
                    created &+= entity.body.isEmpty ? 0 : 1
                }
            }
        }
        return created
    }

    private func measureFoundation(_ buffer: EventBuffer) -> Measurement {
        let clock = ContinuousClock()
        let datas = buffer.bodies.map { Data($0) }
        var created = 0
        let cpuStart = CPUTime.thisThread()
        let elapsed = clock.measure {
            for data in datas {
                if let object = try? JSONSerialization.jsonObject(with: data),
                    let output = try? JSONSerialization.data(withJSONObject: object)
                {
                    created &+= output.isEmpty ? 0 : 1
                }
            }
        }
        return Measurement(
            events: buffer.count, bytes: buffer.totalBytes, best: elapsed, bestCPU: CPUTime.thisThread() - cpuStart,
            created: created)
    }
}

/// Events back to back in one buffer, like a batch of Kafka messages.
struct EventBuffer {
    let bodies: [[UInt8]]
    let invalid: [Bool]
    let storage: [UInt8]
    let ranges: [Range<Int>]

    var count: Int { ranges.count }
    var totalBytes: Int { storage.count }

    init(_ events: [(body: [UInt8], isInvalid: Bool)]) {
        bodies = events.map(\.body)
        invalid = events.map(\.isInvalid)
        var storage: [UInt8] = []
        var ranges: [Range<Int>] = []
        for event in events {
            ranges.append(storage.count..<storage.count + event.body.count)
            storage.append(contentsOf: event.body)
        }
        self.storage = storage
        self.ranges = ranges
    }

    init(_ bodies: [[UInt8]]) {
        self.init(bodies.map { ($0, false) })
    }
}

/// Realistic create events: the page's example with varied values.
struct EventGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    private mutating func random() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(random() % UInt64(range.count))
    }

    private static let words = [
        "alice", "bob", "contoso", "fabrikam", "risk", "high", "medium", "low", "admin", "service", "Zoë", "Łukasz",
        "北京", "user", "account", "ops", "tier\\u00e9", "finance", "sales", "q\\\"uote",
    ]

    private mutating func words(_ count: ClosedRange<Int>) -> String {
        (0..<int(count)).map { _ in Self.words[int(0...Self.words.count - 1)] }.joined(separator: " ")
    }

    private mutating func guid() -> String {
        let hex = Array("0123456789abcdef")
        let characters = (0..<32).map { _ in hex[int(0...15)] }
        let text = String(characters)
        let parts = [
            text.prefix(8), text.dropFirst(8).prefix(4), text.dropFirst(12).prefix(4), text.dropFirst(16).prefix(4),
            text.dropFirst(20),
        ]
        return parts.joined(separator: "-")
    }

    private mutating func date() -> String {
        let base = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", int(2015...2025), int(1...12), int(1...28), int(0...23),
            int(0...59), int(0...59))
        let fraction = int(0...2) == 0 ? "" : "." + String(int(1_000_000...9_999_999))
        let offset =
            int(0...1) == 0
            ? "Z" : String(format: "%@%02d:%02d", int(0...1) == 0 ? "+" : "-", int(0...12), [0, 30, 45][int(0...2)])
        return base + fraction + offset
    }

    private mutating func account() -> String {
        #"{"@odata.type":"microsoft.graph.userAccount","displayName":"\#(words(1...3))","lastSeenDateTime":"\#(date())","riskScore":"\#(int(0...100))","service":"\#(words(1...2))","signinName":"\#(words(1...1))@contoso.com","status":"\#(["Active", "Disabled", "String"][int(0...2)])"}"#
    }

    /// One event; about 10% are invalid.
    mutating func next() -> (body: [UInt8], isInvalid: Bool) {
        let accounts = (0..<int(1...5)).map { _ in account() }.joined(separator: ",")
        let tags = (0..<int(0...4)).map { _ in "\"\(words(1...2))\"" }.joined(separator: ",")
        var body =
            ##"{"@odata.type":"#microsoft.graph.userSecurityProfile","accounts":[\##(accounts)],"azureSubscriptionId":"\##(guid())","azureTenantId":"\##(guid())","displayName":"\##(words(1...4))","riskScore":"\##(int(0...100))","tags":[\##(tags)],"userPrincipalName":"\##(words(1...1))@contoso.com","vendorInformation":{"@odata.type":"microsoft.graph.securityVendorInformation","provider":"\##(words(1...2))","providerVersion":"\##(int(1...9)).\##(int(0...99))","subProvider":"\##(words(1...2))","vendor":"Microsoft"}}"##
        guard int(0...9) == 0 else { return (Array(body.utf8), false) }
        switch int(0...6) {
        case 0: body = body.replacingOccurrences(of: #""riskScore":"#, with: #""lastSeen":"x","riskScore":"#)
        case 1:
            body = body.replacingOccurrences(
                of: #""lastSeenDateTime":"20"#, with: #""lastSeenDateTime":"2021-02-29T00:00:00Z","x":"20"#)
        case 2: body = body.replacingOccurrences(of: #"{"@odata.type":"#, with: #"{"id":"1","@odata.type":"#)
        case 3: body = body.replacingOccurrences(of: #""azureTenantId":""#, with: #""azureTenantId":null,"t":""#)
        case 4: body += "}"
        case 5: body = body.replacingOccurrences(of: #""displayName":""#, with: #""displayName":7,"d":""#)
        default: body = body.replacingOccurrences(of: #""userPrincipalName":"#, with: #""upn":"#)
        }
        return (Array(body.utf8), true)
    }
}

/// Counts heap allocations when a counting library is preloaded (`LD_PRELOAD`); the
/// benchmark finds its counter by name. Without it, allocations are simply not reported.
enum AllocationCounter {
    typealias Count = @convention(c) () -> UInt

    static var read: Count? {
        #if canImport(Glibc)
        guard let symbol = dlsym(nil, "usp_allocation_count") else { return nil }
        return unsafeBitCast(symbol, to: Count.self)
        #else
        return nil
        #endif
    }

    /// A glibc malloc wrapper that counts calls; it forwards to glibc's own entry points,
    /// so it needs no dlsym (which itself allocates).
    static let source = """
        // Build: cc -O2 -shared -fPIC -o counter.so counter.c
        // Run:   LD_PRELOAD=./counter.so usp-bench pipeline
        #include <stddef.h>
        #include <stdatomic.h>
        extern void *__libc_malloc(size_t);
        extern void *__libc_calloc(size_t, size_t);
        extern void *__libc_realloc(void *, size_t);
        extern void *__libc_memalign(size_t, size_t);
        static atomic_ulong allocations;
        unsigned long usp_allocation_count(void) { return atomic_load(&allocations); }
        void *malloc(size_t size) { atomic_fetch_add(&allocations, 1); return __libc_malloc(size); }
        void *calloc(size_t count, size_t size) { atomic_fetch_add(&allocations, 1); return __libc_calloc(count, size); }
        void *realloc(void *pointer, size_t size) { atomic_fetch_add(&allocations, 1); return __libc_realloc(pointer, size); }
        void *aligned_alloc(size_t alignment, size_t size) { atomic_fetch_add(&allocations, 1); return __libc_memalign(alignment, size); }
        void *memalign(size_t alignment, size_t size) { atomic_fetch_add(&allocations, 1); return __libc_memalign(alignment, size); }
        int posix_memalign(void **result, size_t alignment, size_t size) {
            atomic_fetch_add(&allocations, 1);
            *result = __libc_memalign(alignment, size);
            return *result ? 0 : 12;
        }
        """
}
