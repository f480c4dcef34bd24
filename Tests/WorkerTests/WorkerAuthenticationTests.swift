import Authentication
import AuthenticationTestSupport
import CreatePipeline
import Foundation
import Kafka
import KafkaTestSupport
import SampleEvents
import SampleTokens
import Testing

@testable import Worker

/// The worker with bearer tokens, on the embedded cluster: who may create, and how the
/// others' records are dead-lettered.
@Suite(.serialized) struct WorkerAuthenticationTests {
    static let permission = "SecurityEvents.ReadWrite.All"

    /// A valid creation event for `tenant` and `vendor`.
    static func body(tenant: String, vendor: String = "Contoso") -> [UInt8] {
        let text = String(decoding: SampleEvents.valid(0), as: UTF8.self)
            .replacingOccurrences(of: #""azureTenantId":"tenant-0""#, with: #""azureTenantId":"\#(tenant)""#)
            .replacingOccurrences(of: #""vendor":"Vendor 0""#, with: #""vendor":"\#(vendor)""#)
        return Array(text.utf8)
    }

    static func header(_ name: String, _ value: String) -> KafkaHeader {
        KafkaHeader(name: name, value: Array(value.utf8))
    }

    static func bearer(_ token: String) -> KafkaHeader { header("authorization", "Bearer \(token)") }

    struct Case {
        var name: String
        var value: [UInt8]
        var headers: [KafkaHeader]
        /// nil: created; else the dead letter's status and code.
        var rejection: (status: Int, code: String)?
    }

    @Test func eachRecordIsCreatedOrDeadLetteredWithItsStatusAndCodeAndNoTokenLeaves() async throws {
        let keys = try TestKeys()
        let tokens = TestTokens(keys: keys)
        let folder = try TestFolder()
        defer { folder.remove() }
        let log = CapturedLog()
        let access = try await AccessControl.start(
            AuthenticationConfiguration(
                jwksFile: try folder.write("jwks.json", try keys.jwks()),
                hs256SecretFile: try folder.write("hs256.secret", keys.secret),
                issuers: [TestTokens.issuer], audiences: [TestTokens.audience]),
            logger: log.logger(label: "access"))
        let now = Date().timeIntervalSince1970
        let tenantA = Self.body(tenant: TestTokens.tenantA)
        let rsaRole = try await tokens.token(TestClaims(roles: [Self.permission]), signedWith: .rsa)
        let ecScope = try await tokens.token(TestClaims(scp: "openid \(Self.permission)", roles: nil), signedWith: .ec)
        let hmac = try await tokens.token(signedWith: .secret)
        let expired = try await tokens.token(TestClaims(exp: now - 3_600))
        let wrongIssuer = try await tokens.token(TestClaims(iss: "https://evil.test/"))
        let wrongAudience = try await tokens.token(TestClaims(aud: ["api://other"]))
        let strangerKey = try await TestTokens(keys: TestKeys()).token(signedWith: .rsa)
        let readOnly = try await tokens.token(TestClaims(scp: "SecurityEvents.Read.All", roles: nil))
        let tampered = rsaRole.split(separator: ".").enumerated()
            .map {
                $0.offset == 1
                    ? Substring(Base64URL.encode(try! TestTokens.encode(TestClaims(tid: TestTokens.tenantB))))
                    : $0.element
            }
            .joined(separator: ".")
        let unauthorized = (401, "InvalidAuthenticationToken")
        let forbidden = (403, "Forbidden")
        let cases = [
            Case(name: "RSA key, application role", value: tenantA, headers: [Self.bearer(rsaRole)]),
            Case(name: "EC key, delegated scope", value: tenantA, headers: [Self.bearer(ecScope)]),
            Case(name: "HS256 secret", value: tenantA, headers: [Self.bearer(hmac)]),
            Case(name: "the same token again", value: tenantA, headers: [Self.bearer(rsaRole)]),
            Case(
                name: "header name in another case", value: tenantA,
                headers: [Self.header("Authorization", "Bearer \(ecScope)")]),
            Case(name: "no token", value: tenantA, headers: [], rejection: unauthorized),
            Case(
                name: "basic credentials", value: tenantA, headers: [Self.header("authorization", "Basic dTpw")],
                rejection: unauthorized),
            Case(name: "expired", value: tenantA, headers: [Self.bearer(expired)], rejection: unauthorized),
            Case(name: "bad signature", value: tenantA, headers: [Self.bearer(tampered)], rejection: unauthorized),
            Case(name: "wrong issuer", value: tenantA, headers: [Self.bearer(wrongIssuer)], rejection: unauthorized),
            Case(
                name: "wrong audience", value: tenantA, headers: [Self.bearer(wrongAudience)], rejection: unauthorized),
            Case(name: "unknown key", value: tenantA, headers: [Self.bearer(strangerKey)], rejection: unauthorized),
            Case(
                name: "unsigned", value: tenantA, headers: [Self.bearer(try TestTokens.unsigned())],
                rejection: unauthorized),
            Case(
                name: "two authorization headers", value: tenantA,
                headers: [Self.bearer(rsaRole), Self.bearer(ecScope)], rejection: unauthorized),
            Case(
                name: "invalid body, bad token: never parsed", value: Array("{".utf8), headers: [],
                rejection: unauthorized),
            Case(
                name: "invalid body, good token", value: Array("{".utf8), headers: [Self.bearer(rsaRole)],
                rejection: (400, "BadRequest")),
            Case(name: "no permission", value: tenantA, headers: [Self.bearer(readOnly)], rejection: forbidden),
            Case(
                name: "tenant A's token, tenant B's profile", value: Self.body(tenant: TestTokens.tenantB),
                headers: [Self.bearer(rsaRole)], rejection: forbidden),
        ]
        let bed = try KafkaTestBed(partitions: 1, outputPartitions: 1)
        try bed.produce(cases.map { ($0.value, $0.headers + [Self.header("client-request-id", "c-\($0.name)")]) })
        let worker = bed.worker(
            group: "auth", authentication: .bearerToken(access), logger: log.logger(label: "worker"))
        let summary = try await worker.run()
        let expectedCreated = cases.filter { $0.rejection == nil }.count
        #expect(summary.created == expectedCreated)
        #expect(summary.deadLettered == cases.count - expectedCreated)

        // Byte for byte what the translator with the same access control makes.
        let (entities, deadLetters) = try bed.verifyOutputs(
            inputCount: cases.count, expectedCreated: expectedCreated, allowDuplicates: false,
            authentication: .bearerToken(access))
        // And the status and code this test expects, case by case.
        let deadLetterAt = Dictionary(
            uniqueKeysWithValues: deadLetters.compactMap { message in
                KafkaTestBed.sourceCoordinate(of: message).map { ($0.offset, message) }
            })
        for (offset, testCase) in cases.enumerated() {
            let deadLetter = deadLetterAt[Int64(offset)]
            guard let rejection = testCase.rejection else {
                #expect(deadLetter == nil, "\(testCase.name): created")
                continue
            }
            #expect(deadLetter?.header("error-status") == "\(rejection.status)", "\(testCase.name)")
            #expect(deadLetter?.header("error-code") == rejection.code, "\(testCase.name)")
            #expect(deadLetter?.header("error")?.contains(#""code":"\#(rejection.code)""#) == true, "\(testCase.name)")
            #expect(
                deadLetter?.header("client-request-id") == "c-\(testCase.name)", "\(testCase.name): other headers kept")
            #expect(deadLetter?.value == testCase.value, "\(testCase.name): the body kept for a replay")
        }
        // No token leaves the worker: no authorization header, no token text in any output or log line.
        let secrets = [rsaRole, ecScope, hmac, expired, tampered, readOnly].map { String($0.split(separator: ".")[2]) }
        for message in entities + deadLetters {
            #expect(message.headers.allSatisfy { $0.name.lowercased() != "authorization" })
            let text =
                message.headers.map { String(decoding: $0.value ?? [], as: UTF8.self) }.joined()
                + String(decoding: message.value ?? [], as: UTF8.self)
            #expect(secrets.allSatisfy { !text.contains($0) }, "a token in \(message.topic)@\(message.offset)")
        }
        let lines = log.all
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { line in secrets.allSatisfy { !line.contains($0) } }, "a token in the log")
    }

    /// The file is replaced while the worker runs; the next records signed with the new key
    /// are created.
    @Test func aReplacedJWKSFileIsPickedUpWhileTheWorkerRuns() async throws {
        let (old, new) = (try TestKeys(), try TestKeys())
        let folder = try TestFolder()
        defer { folder.remove() }
        let access = try await AccessControl.start(
            AuthenticationConfiguration(
                jwksFile: try folder.write("jwks.json", try old.jwks()), issuers: [TestTokens.issuer],
                audiences: [TestTokens.audience],
                keyRefresh: KeyRefreshPolicy(fileCheckInterval: .milliseconds(100), waitTimeout: .seconds(30))),
            logger: KafkaTestBed.warningsOnly)
        try await runThroughRotation(access: access, old: old, new: new) {
            try folder.write("jwks.json", try new.jwks())
        }
    }

    /// The provider starts publishing a new key; the first record signed with it fetches the
    /// JWKS again and is created, as are the next.
    @Test func aJWKSURLAnsweringWithANewKeyIsPickedUpWhileTheWorkerRuns() async throws {
        let (old, new) = (try TestKeys(), try TestKeys())
        let server = try await LoopbackJWKSServer(document: try old.jwks())
        let access = try await AccessControl.start(
            AuthenticationConfiguration(
                jwksURL: server.url, issuers: [TestTokens.issuer], audiences: [TestTokens.audience],
                keyRefresh: KeyRefreshPolicy(minimumInterval: .milliseconds(200), waitTimeout: .seconds(30))),
            logger: KafkaTestBed.warningsOnly)
        try await runThroughRotation(access: access, old: old, new: new) {
            server.serve(try TestKeys.jwks(of: [new]))
            try await Task.sleep(for: .milliseconds(300))
        }
        #expect(server.requestCount == 2, "fetched at start and once for the new key")
        await server.stop()
    }

    /// 50 records signed with `old`, then `rotate`, then 50 signed with `new`, through one
    /// running worker: all 100 created. The callers let a record wait 30 s for a key
    /// refresh: in a full parallel test run the refresh's task can wait seconds for a thread
    /// of the cooperative pool, which other tests' blocking calls hold.
    private func runThroughRotation(
        access: AccessControl, old: TestKeys, new: TestKeys, rotate: () async throws -> Void
    ) async throws {
        let bed = try KafkaTestBed(partitions: 1, outputPartitions: 1)
        let body = Self.body(tenant: TestTokens.tenantA)
        let oldToken = try await TestTokens(keys: old).token(signedWith: .rsa)
        let newToken = try await TestTokens(keys: new).token(signedWith: .ec)
        let worker = bed.worker(group: "rotation", untilCaughtUp: false, authentication: .bearerToken(access))
        let running = Task { try await worker.run() }
        try bed.produce(Array(repeating: (body, [Self.bearer(oldToken)]), count: 50))
        #expect(try await eventually(timeout: .seconds(60)) { try bed.recordCount(bed.topics.output) == 50 })
        try await rotate()
        try bed.produce(Array(repeating: (body, [Self.bearer(newToken)]), count: 50))
        let settled = try await eventually(timeout: .seconds(60)) {
            try bed.recordCount(bed.topics.output) + bed.recordCount(bed.topics.deadLetter) >= 100
        }
        worker.requestStop()
        let summary = try await running.value
        #expect(settled)
        #expect(summary.created == 100, "every record, signed with either key, was created")
        #expect(try bed.recordCount(bed.topics.deadLetter) == 0)
    }
}
