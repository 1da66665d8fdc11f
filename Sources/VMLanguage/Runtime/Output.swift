#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a session's text goes. Normal output and diagnostics are separate
/// streams so that front ends can route them; a transcript sink merges them
/// in order.
public protocol OutputSink: AnyObject {
    func write(_ text: String)
    func writeDiagnostic(_ text: String)
    func flush()
    /// Text that a figure shows better (Figure.swift); most sinks print the text only.
    func write(_ text: String, figure: () -> Figure)
}

/// Buffers standard output and writes it in large chunks; diagnostics go to
/// standard error after pending output, so the two stay in order on a terminal.
///
/// The buffer is raw memory that a fatal signal's handler can reach: if vmlab
/// ever crashes (or is killed with SIGTERM), what it had printed is written
/// out before it dies (CrashFlush).
public final class StandardStreams: OutputSink {
    private static let capacity = 1 << 16
    private let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    /// Bytes waiting in `buffer`; a pointer so that the signal handler reads the live count.
    private let count = UnsafeMutablePointer<Int>.allocate(capacity: 1)

    public init() {
        count.initialize(to: 0)
        CrashFlush.register(buffer: buffer, count: count)
    }

    deinit {
        flush()
        CrashFlush.unregister(buffer: buffer)
        buffer.deallocate()
        count.deallocate()
    }

    public func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            if count.pointee + bytes.count > Self.capacity { flush() }
            if bytes.count > Self.capacity {
                Self.writeAll(UnsafeRawBufferPointer(bytes), to: 1)
                return
            }
            (buffer + count.pointee).update(from: bytes.baseAddress!, count: bytes.count)
            count.pointee += bytes.count
        }
    }

    public func writeDiagnostic(_ text: String) {
        flush()
        var text = text
        text.withUTF8 { Self.writeAll(UnsafeRawBufferPointer($0), to: 2) }
    }

    public func flush() {
        guard count.pointee > 0 else { return }
        let pending = count.pointee
        // Emptied first: if the write fails and vmlab exits, nothing is written twice.
        count.pointee = 0
        Self.writeAll(UnsafeRawBufferPointer(start: buffer, count: pending), to: 1)
    }

    private static func writeAll(_ raw: UnsafeRawBufferPointer, to descriptor: Int32) {
        guard let base = raw.baseAddress else { return }
        var offset = 0
        while offset < raw.count {
            let written = systemWrite(descriptor, base + offset, raw.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                // The reader went away (EPIPE: `| head -1`): stop quietly, as cat does.
                // Anything else (a full disk) is reported: output was lost. Either way exit 2.
                if errno != EPIPE && descriptor == 1 {
                    let message = "vmlab: cannot write standard output: \(String(cString: strerror(errno)))\n"
                    _ = message.withCString { systemWrite(2, $0, strlen($0)) }
                }
                exit(2)
            }
            offset += written
        }
    }
}

/// Collects everything, output and diagnostics in the order they came: what
/// golden transcripts and `save transcript` are made of.
public final class TranscriptSink: OutputSink {
    public private(set) var text = ""

    public init() {}

    public func write(_ text: String) { self.text += text }
    public func writeDiagnostic(_ text: String) { self.text += text }
    public func flush() {}
}

/// write(2), under the name every platform's C library gives it.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
