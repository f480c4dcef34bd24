import ArgumentParser
import Authentication
import CreatePipeline
import Foundation
import Logging
import SampleEvents
import SampleTokens

/// `usp-bench auth`: what the bearer-token check costs an event.
struct AuthenticationBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract:
            "Measures the bearer-token check per event: a token seen before, a token seen first, and the pipeline with and without the check.",
        discussion: """
            Keys are made at start (RSA 2048, P-256, a 48-byte HS256 secret) and loaded from a JWKS \
            file and a secret file, as `usp-worker run --jwks-file … --hs256-secret-file …` does. \
            'Seen before' authenticates one token again and again (a vendor reusing its token: a \
            SHA-256 and a cache lookup); 'seen first' authenticates distinct tokens once each (the \
            signature check and claim decoding). Every call is the synchronous one the worker's \
            polling thread makes. Times are the thread's CPU time, the best of three passes (one \
            pass for first sights).
            """
    )

    @Option(help: "Authentications of one token, and events through the pipeline.")
    var events = 200_000

    @Option(help: "Distinct tokens per algorithm, each authenticated once.")
    var distinct = 2_000

    func validate() throws {
        guard events > 0, distinct > 0 else { throw ValidationError("--events and --distinct must be positive.") }
    }

    func run() async throws {
        let keys = try TestKeys()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "usp-bench-auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(try keys.jwks().utf8).write(to: folder.appendingPathComponent("jwks.json"))
        try Data(keys.secret).write(to: folder.appendingPathComponent("hs256.secret"))
        var logger = Logger(label: "usp-bench")
        logger.logLevel = .warning
        let access = try await AccessControl.start(
            AuthenticationConfiguration(
                jwksFile: folder.appendingPathComponent("jwks.json").path,
                hs256SecretFile: folder.appendingPathComponent("hs256.secret").path,
                issuers: [TestTokens.issuer], audiences: [TestTokens.audience]),
            logger: logger)
        let tokens = TestTokens(keys: keys)

        let reused = "Bearer \(try await tokens.token())"
        print("auth: \(String(reused.utf8.count - 7))-byte RS256 token")
        let hit = Self.time(count: events) { _ in Self.accepts(access, reused) }
        print(hit.line("seen before (cache hit)"))
        for (name, signer) in [("RS256", TestTokens.Signer.rsa), ("ES256", .ec), ("HS256", .secret)] {
            var fresh: [String] = []
            for index in 0..<distinct {
                fresh.append(
                    "Bearer \(try await tokens.token(TestClaims(sub: "subject-\(index)"), signedWith: signer))")
            }
            // One pass: a second would find every token cached.
            let miss = Self.time(count: fresh.count, passes: 1) { Self.accepts(access, fresh[$0]) }
            print(miss.line("seen first, \(name) (signature check)"))
        }

        let body = Array(
            String(decoding: SampleEvents.valid(0), as: UTF8.self)
                .replacingOccurrences(
                    of: #""azureTenantId":"tenant-0""#, with: #""azureTenantId":"\#(TestTokens.tenantA)""#
                )
                .utf8)
        let pipeline = CreatePipeline()
        let context = CreateContext(
            idempotencyBasis: .named("bench"), eventTime: .now(), requestID: "00000000-0000-0000-0000-000000000000",
            responseTime: .now())
        let plain = Self.time(count: events) { _ in
            if case .created = pipeline.create(body, context: context) { return true }
            return false
        }
        print(plain.line("pipeline alone"))
        let checked = Self.time(count: events) { _ in Self.createsChecked(access, reused, pipeline, body, context) }
        print(checked.line("pipeline with the token check (authenticate, permission, tenant)"))
        let overhead = (checked.seconds - plain.seconds) / Double(events) * 1e6
        print("  the check adds \(String(format: "%.2f", overhead)) µs an event with a reused token")
    }

    struct Timing {
        var count: Int
        var seconds: Double
        var failures: Int

        func line(_ label: String) -> String {
            let micros = seconds / Double(count) * 1e6
            let rate = Double(count) / seconds
            let failed = failures == 0 ? "" : " (\(failures) refused!)"
            return
                "  \(label): \(String(format: "%.2f", micros)) µs each, \(String(format: "%.0f", rate))/s over \(count)\(failed)"
        }
    }

    /// Runs `body` for indices 0..<count on this thread; the best of `passes` passes, in CPU time.
    static func time(count: Int, passes: Int = 3, _ body: (Int) -> Bool) -> Timing {
        var best = Timing(count: count, seconds: .infinity, failures: 0)
        for _ in 0..<passes {
            var failures = 0
            let start = CPUTime.thisThread().seconds
            for index in 0..<count where !body(index) { failures += 1 }
            let seconds = CPUTime.thisThread().seconds - start
            if seconds < best.seconds { best = Timing(count: count, seconds: seconds, failures: failures) }
        }
        return best
    }

    /// The synchronous check (the worker's), from a synchronous function so that overload is chosen.
    static func accepts(_ access: AccessControl, _ header: String) -> Bool {
        (try? access.authenticate(authorization: header)) != nil
    }

    static func createsChecked(
        _ access: AccessControl, _ header: String, _ pipeline: CreatePipeline, _ body: [UInt8], _ context: CreateContext
    ) -> Bool {
        do throws(AccessDenied) {
            let caller = try access.authenticate(authorization: header)
            try access.authorize(caller)
            guard case .created(let entity) = pipeline.create(body, context: context) else { return false }
            try access.authorize(caller, tenantID: entity.azureTenantId, vendor: entity.vendor)
            return true
        } catch {
            return false
        }
    }
}
