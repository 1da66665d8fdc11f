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
}

/// Buffers standard output and writes it in large chunks; diagnostics go to
/// standard error after pending output, so the two stay in order on a terminal.
public final class StandardStreams: OutputSink {
    private var buffer: [UInt8] = []
    private let limit = 1 << 16

    public init() {
        buffer.reserveCapacity(limit)
    }

    deinit { flush() }

    public func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= limit { flush() }
    }

    public func writeDiagnostic(_ text: String) {
        flush()
        Self.writeAll(Array(text.utf8), to: 2)
    }

    public func flush() {
        guard !buffer.isEmpty else { return }
        Self.writeAll(buffer, to: 1)
        buffer.removeAll(keepingCapacity: true)
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = systemWrite(descriptor, raw.baseAddress! + offset, raw.count - offset)
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
