#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain TCP connection to the server on loopback, for requests no HTTP client sends:
/// a `Content-Length` the bytes never reach, a chunked body that goes on past the limit.
/// Written on the socket API because clients (HummingbirdTesting's included) always send
/// the body they declare.
struct RawHTTPConnection: ~Copyable {
    private let socket: Int32

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw RawHTTPError.socket(errno) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            throw RawHTTPError.connect(errno)
        }
    }

    deinit { close(socket) }

    /// Sends all of `bytes`; false when the server no longer takes them.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    /// Reads until the server ends the stream (or 10 s pass without a byte, or 1 MiB came).
    /// - Returns: the bytes, and whether the stream ended.
    func receiveUntilEnd() -> (bytes: [UInt8], ended: Bool) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while received.count < 1 << 20 {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count == 0 { return (received, true) }
            guard count > 0 else { return (received, false) }
            received.append(contentsOf: buffer[0..<count])
        }
        return (received, false)
    }
}

enum RawHTTPError: Error {
    case socket(Int32)
    case connect(Int32)
}
