import Authentication
import Crypto
import Foundation
import FuzzSupport
import Logging
import Synchronization

/// libFuzzer's entry (`Fuzz/run token`): one input is one `authorization` value, in one of
/// three forms chosen by its first byte, so that mutations reach every stage:
/// - 0: the rest, as is;
/// - 1: the rest is `<header JSON>\n<payload JSON>`, encoded and HS256-signed with the
///   configured secret, so the claims are read and checked;
/// - 2: the rest is up to three `\n`-separated parts, each base64url-encoded, joined by dots
///   (a header jwt-kit must read, a signature that does not verify).
/// Every verdict must be a 401, or an acceptance of a form-1 token whose claims allow it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzToken(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    TokenProperties.check(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

enum TokenProperties {
    static let issuer = "https://fuzz.example.test/v2.0"
    static let audience = "api://usp-fuzz"
    /// A secret for this fuzz target only; it protects nothing.
    static let secret = Array("usp-fuzz-only-hs256-secret-protects-nothing".utf8)
    /// Public keys made for this fuzz target only (no private key exists anywhere).
    static let jwks = #"""
        {"keys":[{"kty":"RSA","use":"sig","kid":"fuzz-rsa","n":"r7NGQHeuV6bXNyCpXfdKiMh7UL1PSac1YZZIXE2dS-5sgBxcxAUYTldLxGOf_eOrwVTzpSHnwnMUvjMAv5BTN1T6zl7-Ie4o3Y2UfRiaPU7EQOMGtykUyN3r-dJqnCNM0iiE5g-AdxDG-b6pU2-uP57zxcuC2GzEniqgu8aEn_X7nPyDgcjnjHDLuz8c3D9eGSQzaglY5Ys9OX2ImH1oGFbdTxT45MZ1_WOXksJSSEp9E9ARviy1293YnUlnn6l9nB72nQJhmIvajgVhrSDglewBlhGOzK5rLb-kO2pJwh9wPz7c8QbPb1BqHuoZW-w50XdmDeclHXBQE8v8fGXHzw","e":"AQAB"},{"kty":"EC","use":"sig","crv":"P-256","kid":"fuzz-ec","x":"Z8Or76RmF4Yygbw7HloL2vSTbaUwFMNZv_M8f7mRsCs","y":"w2RAM-hb017nQJtufmcjkGwqRAQlYqeG1dVogytY3KE"}]}
        """#

    /// Access control over the fuzz keys, started once (libFuzzer's thread may block).
    static let access: AccessControl = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("usp-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let jwksFile = folder.appendingPathComponent("jwks.json")
        let secretFile = folder.appendingPathComponent("hs256.secret")
        do {
            try Data(jwks.utf8).write(to: jwksFile)
            try Data(secret).write(to: secretFile)
        } catch {
            fail("cannot write the fuzz keys: \(error)")
        }
        let configuration = AuthenticationConfiguration(
            jwksFile: jwksFile.path, hs256SecretFile: secretFile.path, issuers: [issuer], audiences: [audience],
            tenantAllowListFile: nil)
        var logger = Logger(label: "usp-fuzz-token")
        logger.logLevel = .critical
        let started = Started()
        let done = DispatchSemaphore(value: 0)
        Task {
            let access = try? await AccessControl.start(configuration, logger: logger)
            started.value.withLock { $0 = access }
            done.signal()
        }
        done.wait()
        guard let access = started.value.withLock({ $0 }) else { fail("the fuzz keys did not load") }
        return access
    }()

    static func check(_ data: UnsafeRawBufferPointer) {
        guard let form = data.first else { return }
        let rest = Array(data.dropFirst())
        let header: String
        switch form % 3 {
        case 0:
            header = String(decoding: rest, as: UTF8.self)
        case 1:
            let parts = rest.split(separator: 0x0A, maxSplits: 1, omittingEmptySubsequences: false)
            let input = "\(base64URL(parts[0])).\(base64URL(parts.count > 1 ? parts[1] : []))"
            let signature = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: secret))
            header = "Bearer \(input).\(base64URL(Array(signature)[...]))"
        default:
            let parts = rest.split(separator: 0x0A, maxSplits: 2, omittingEmptySubsequences: false)
            header = "Bearer " + parts.map(base64URL).joined(separator: ".")
        }
        let verdict = Result { () throws(AccessDenied) in try access.authenticate(authorization: header) }
        switch verdict {
        case .success(let caller):
            require(form % 3 == 1, "a token without a valid signature was accepted: \(header.prefix(200))")
            require(caller.expiresAt > Date().addingTimeInterval(-61), "an expired token was accepted")
            // Authorization never traps either.
            _ = Result { () throws(AccessDenied) in try access.authorize(caller) }
            _ = Result { () throws(AccessDenied) in try access.authorize(caller, tenantID: "tenant", vendor: "vendor") }
        case .failure(let denial):
            require(denial.status == 401, "a token was refused with \(denial.status)")
        }
    }

    private static func base64URL(_ bytes: ArraySlice<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private final class Started: Sendable {
        let value = Mutex<AccessControl?>(nil)
    }
}

@main
struct FuzzMain {
    static func main() throws {
        try FuzzDriver.main(name: "usp-fuzz-token", entry: fuzzToken)
    }
}
