import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where keys come from.
enum KeySource: Sendable, CustomStringConvertible {
    /// An OpenID provider's JWKS endpoint.
    case jwksURL(URL)
    /// A JWKS file.
    case jwksFile(String)
    /// A file holding the HS256 secret.
    case hmacSecretFile(String)

    var description: String {
        switch self {
        case .jwksURL(let url): "JWKS URL \(url.absoluteString)"
        case .jwksFile(let path): "JWKS file \(path)"
        case .hmacSecretFile(let path): "HS256 secret file \(path)"
        }
    }

    /// The file whose changes bring new keys, for file sources.
    var file: String? {
        switch self {
        case .jwksURL: nil
        case .jwksFile(let path), .hmacSecretFile(let path): path
        }
    }

    /// A JWKS larger than this is refused: real ones are a few kilobytes.
    static let maximumDocumentSize = 1_048_576
    /// RFC 7518, 3.2: an HS256 key must be at least as long as the hash, 32 bytes.
    static let minimumSecretLength = 32

    /// Reads (or fetches) the keys now. A source that gives no usable key fails.
    func load(timeout: Duration) async throws(AuthenticationSetupError) -> KeySet {
        let keys: KeySet
        do throws(KeySetError) {
            switch self {
            case .jwksURL(let url):
                keys = try await KeySet.jwks(try await Self.fetch(url, timeout: timeout))
            case .jwksFile(let path):
                keys = try await KeySet.jwks(try Self.read(path))
            case .hmacSecretFile(let path):
                var secret = [UInt8](try Self.read(path))
                while let last = secret.last, last == 0x0A || last == 0x0D { secret.removeLast() }
                guard secret.count >= Self.minimumSecretLength else {
                    throw KeySetError(
                        "the secret is \(secret.count) bytes; HS256 needs at least \(Self.minimumSecretLength)")
                }
                keys = await KeySet.hmacSecret(secret)
            }
        } catch {
            throw .keysUnavailable(self, error.reason)
        }
        guard !keys.isEmpty else {
            throw .keysUnavailable(self, "no usable key (\(keys.ignored.joined(separator: "; ")))")
        }
        return keys
    }

    private static func read(_ path: String) throws(KeySetError) -> Data {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw KeySetError("cannot be opened") }
        defer { try? handle.close() }
        let data: Data?
        do {
            data = try handle.read(upToCount: maximumDocumentSize + 1)
        } catch {
            throw KeySetError("cannot be read (\(error.localizedDescription))")
        }
        guard let data, data.count <= maximumDocumentSize else {
            throw KeySetError(data == nil ? "is empty" : "is larger than \(maximumDocumentSize) bytes")
        }
        return data
    }

    /// One GET, bounded by `timeout`, answered with a 2xx status.
    private static func fetch(_ url: URL, timeout: Duration) async throws(KeySetError) -> Data {
        var request = URLRequest(
            url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout / .seconds(1))
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw KeySetError("the request failed (\(error.localizedDescription))")
        }
        guard let status = (response as? HTTPURLResponse)?.statusCode, (200..<300).contains(status) else {
            throw KeySetError("answered with status \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        guard data.count <= maximumDocumentSize else {
            throw KeySetError("answered with more than \(maximumDocumentSize) bytes")
        }
        return data
    }

    /// No cookies, no cache: each fetch asks the provider.
    private static let session = URLSession(configuration: .ephemeral)

    /// Keys fetched over plain HTTP could be replaced by anyone on the path: `https`, or
    /// `http` to this machine only (a sidecar, a test).
    static func checkURL(_ url: URL) throws(AuthenticationSetupError) {
        switch url.scheme?.lowercased() {
        case "https":
            return
        case "http" where ["127.0.0.1", "localhost", "::1", "[::1]"].contains(url.host?.lowercased() ?? ""):
            return
        default:
            throw .invalidSetting("--jwks-url must be https (or http on a loopback address): \(url.absoluteString)")
        }
    }
}
