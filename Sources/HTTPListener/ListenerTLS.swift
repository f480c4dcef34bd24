import Authentication
import Logging
import NIOSSL
import Synchronization

/// The HTTP listener's certificate chain and private key, from PEM files: read at start, and
/// read again when either file changes, so a renewed certificate (cert-manager, a rotated
/// Kubernetes Secret) is served without a restart.
///
/// ``watchFiles()`` checks the files once a second (`stat`, following links, so a Secret's swap
/// is seen) and reads a changed pair; new connections then get it, established ones keep
/// theirs. A changed pair that cannot be used (unreadable, not PEM, a key that does not match
/// the certificate, e.g. while only one of the two has been replaced) is logged and the
/// previous pair stays in use until the files change again.
///
/// Files are read and checked on the watching task, never on the listener's event loops: a
/// handshake only takes the current pair. (A failed check leaves BoringSSL's thread-local error
/// queue non-empty, which would fail a handshake running on the same thread.)
public final class ListenerTLS: Sendable {
    /// The certificate chain's PEM file: the server's certificate first, then intermediates.
    public let certificatePath: String
    /// The private key's PEM file (unencrypted).
    public let keyPath: String
    private let logger: Logger
    private let state: Mutex<State>

    private struct Identity: Sendable {
        var chain: [NIOSSLCertificate]
        var key: NIOSSLPrivateKey
    }

    private struct Signatures: Equatable {
        var certificate: FileSignature?
        var key: FileSignature?
    }

    private struct State {
        var identity: Identity
        /// How many times a changed pair has been loaded since start.
        var reloads = 0
        /// The files' signatures when last read (whether or not that pair could be used).
        var signatures: Signatures
    }

    /// How often ``watchFiles()`` checks the files for a change.
    public static let checkInterval = Duration.seconds(1)

    /// Reads and checks both files.
    ///
    /// - Throws: ``ListenerTLSError`` naming the file that cannot be read or used, or saying
    ///   that the key does not match the certificate.
    public init(certificatePath: String, keyPath: String, logger: Logger) throws(ListenerTLSError) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.logger = logger
        let signatures = Self.signatures(certificatePath: certificatePath, keyPath: keyPath)
        let identity = try Self.load(certificatePath: certificatePath, keyPath: keyPath)
        state = Mutex(State(identity: identity, signatures: signatures))
    }

    /// The server side of TLS for the listener: the pair read at start, and a per-handshake
    /// callback that hands out the newer pair ``watchFiles()`` read, once there is one.
    public var serverConfiguration: TLSConfiguration {
        let initial = state.withLock { $0.identity }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: initial.chain.map { .certificate($0) }, privateKey: .privateKey(initial.key))
        configuration.sslContextCallback = { [self] _, promise in
            promise.succeed(handshakeOverride())
        }
        return configuration
    }

    /// Checks the files every ``checkInterval`` until the task is cancelled; run it beside the
    /// listener.
    public func watchFiles() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.checkInterval)
            if !Task.isCancelled { refresh() }
        }
    }

    /// What a new handshake should use instead of the pair read at start: nothing until a
    /// changed pair has been read.
    private func handshakeOverride() -> NIOSSLContextConfigurationOverride {
        let (identity, reloads) = state.withLock { ($0.identity, $0.reloads) }
        guard reloads > 0 else { return .noChanges }
        var override = NIOSSLContextConfigurationOverride()
        override.certificateChain = identity.chain.map { .certificate($0) }
        override.privateKey = .privateKey(identity.key)
        return override
    }

    /// Reads the pair again when either file changed since it was last read.
    func refresh() {
        let seen = state.withLock { $0.signatures }
        let signatures = Self.signatures(certificatePath: certificatePath, keyPath: keyPath)
        guard signatures != seen else { return }
        do {
            let identity = try Self.load(certificatePath: certificatePath, keyPath: keyPath)
            state.withLock { state in
                state.identity = identity
                state.reloads += 1
                state.signatures = signatures
            }
            logger.info(
                "http listener: TLS certificate and key read again", metadata: ["certificate": "\(certificatePath)"])
        } catch {
            state.withLock { $0.signatures = signatures }
            logger.warning(
                "http listener: the changed TLS certificate or key cannot be used; the previous pair stays in use",
                metadata: ["reason": "\(error.message)", "code": "\(error.code)"])
        }
    }

    private static func signatures(certificatePath: String, keyPath: String) -> Signatures {
        Signatures(certificate: FileSignature(path: certificatePath), key: FileSignature(path: keyPath))
    }

    private static func load(certificatePath: String, keyPath: String) throws(ListenerTLSError) -> Identity {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw ListenerTLSError(
                .unreadableCertificate, "\(certificatePath): not a readable PEM certificate (\(error))")
        }
        guard !chain.isEmpty else {
            throw ListenerTLSError(.unreadableCertificate, "\(certificatePath): no PEM certificate in it")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            // Only the path: the file's content is a secret.
            throw ListenerTLSError(.unreadableKey, "\(keyPath): not a readable, unencrypted PEM private key")
        }
        do {
            // BoringSSL checks that the key belongs to the leaf certificate.
            _ = try NIOSSLContext(
                configuration: .makeServerConfiguration(
                    certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)))
        } catch {
            throw ListenerTLSError(
                .keyMismatch, "\(keyPath) is not the private key of \(certificatePath)'s certificate")
        }
        return Identity(chain: chain, key: key)
    }
}

/// Why the listener's certificate or key cannot be used.
public struct ListenerTLSError: Error, Sendable, Equatable {
    public enum Code: String, Sendable {
        case unreadableCertificate = "TLS_CERTIFICATE_UNREADABLE"
        case unreadableKey = "TLS_KEY_UNREADABLE"
        case keyMismatch = "TLS_KEY_MISMATCH"
    }

    /// Stable, for scripts.
    public let code: Code
    /// For people: names the file, never its content.
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
