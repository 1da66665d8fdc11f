import Foundation

/// JSON-RPC messages framed as the Language Server Protocol frames them on
/// stdio: a header block (`Content-Length: N`, optionally `Content-Type`),
/// a blank line, then N bytes of JSON. Reads from any byte source, so tests
/// can feed it a buffer; a frame it cannot read is reported, not fatal.
final class MessageChannel {
    /// What the next frame held.
    enum Frame {
        case message([UInt8])
        /// A frame the server must answer with an error and go on: no
        /// Content-Length, or a body over `maximumBody` (its bytes are read and dropped).
        case unreadable(String)
        case endOfInput
    }

    /// The largest body accepted: a script of several megabytes is still an
    /// editor's document; past this the frame is refused.
    static let maximumBody = 16 << 20

    private let read: (Int) -> [UInt8]
    private let write: ([UInt8]) -> Void
    private var buffer: [UInt8] = []
    private var position = 0

    /// `read(n)` returns up to n bytes, empty at the end of input.
    init(read: @escaping (Int) -> [UInt8], write: @escaping ([UInt8]) -> Void) {
        self.read = read
        self.write = write
    }

    static func standardStreams() -> MessageChannel {
        MessageChannel(
            // What the pipe holds now (readData(ofLength:) would wait for all of it).
            read: { _ in [UInt8](FileHandle.standardInput.availableData) },
            write: { bytes in FileHandle.standardOutput.write(Data(bytes)) })
    }

    func next() -> Frame {
        guard let header = readHeader() else { return .endOfInput }
        var length: Int?
        for line in header.split(separator: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "content-length" else {
                continue
            }
            length = Int(parts[1].trimmingCharacters(in: .whitespaces))
        }
        guard let length, length >= 0 else { return .unreadable("a header without a valid Content-Length") }
        guard length <= Self.maximumBody else {
            var left = length
            while left > 0 {
                let chunk = take(min(left, 1 << 16))
                if chunk.isEmpty { return .endOfInput }
                left -= chunk.count
            }
            return .unreadable("a message of \(length) bytes (at most \(Self.maximumBody))")
        }
        var body: [UInt8] = []
        body.reserveCapacity(length)
        while body.count < length {
            let chunk = take(length - body.count)
            if chunk.isEmpty { return .endOfInput }
            body += chunk
        }
        return .message(body)
    }

    func send(_ object: [String: Any]) {
        guard let body = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        write(Array("Content-Length: \(body.count)\r\n\r\n".utf8) + [UInt8](body))
    }

    /// The header block up to its blank line, or nil at the end of input.
    private func readHeader() -> String? {
        var header: [UInt8] = []
        while true {
            if position == buffer.count && !fill() { return nil }
            let byte = buffer[position]
            position += 1
            header.append(byte)
            if header.count >= 4 && header.suffix(4).elementsEqual([13, 10, 13, 10]) {
                return String(decoding: header.dropLast(4), as: UTF8.self)
            }
            // A header block never grows this large: resynchronise on the next one.
            if header.count > 8192 { header.removeFirst(4096) }
        }
    }

    private func take(_ count: Int) -> [UInt8] {
        if position == buffer.count && !fill() { return [] }
        let end = min(buffer.count, position + count)
        let bytes = Array(buffer[position..<end])
        position = end
        return bytes
    }

    private func fill() -> Bool {
        let bytes = read(1 << 16)
        guard !bytes.isEmpty else { return false }
        buffer = bytes
        position = 0
        return true
    }
}
