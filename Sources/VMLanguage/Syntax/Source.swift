/// A script's text with the bookkeeping needed to turn byte offsets into
/// line:column positions. Tokens carry offsets; positions are computed only
/// when a diagnostic needs them.
public final class SourceFile: Sendable {
    public let name: String
    public let bytes: [UInt8]
    private let lineStarts: [Int]
    /// Whether diagnostics may quote this file's lines: only vmlab source
    /// (`.vml`) and what was typed or piped in. A syntax error in some other
    /// file named by mistake (`vmlab run /etc/passwd`) names the place only.
    public let quotesSource: Bool

    public init(name: String, text: String) {
        self.name = name
        quotesSource = name.hasSuffix(".vml") || name.hasPrefix("<")
        self.bytes = Array(text.utf8)
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(offset + 1)
        }
        lineStarts = starts
    }

    /// 1-based line and column of `offset`; columns count characters, not bytes.
    public func position(of offset: Int) -> (line: Int, column: Int) {
        let clamped = max(0, min(offset, bytes.count))
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= clamped { low = middle } else { high = middle - 1 }
        }
        let column = bytes[lineStarts[low]..<clamped].reduce(1) { count, byte in
            byte & 0xC0 == 0x80 ? count : count + 1
        }
        return (low + 1, column)
    }

    /// The text of 1-based `line`, without its newline.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    public func text(_ range: SourceRange) -> String {
        String(decoding: bytes[max(0, range.start)..<min(bytes.count, range.end)], as: UTF8.self)
    }
}

/// A span of bytes in one source file.
public struct SourceRange: Sendable {
    public let file: SourceFile
    public let start: Int
    public let end: Int

    public init(file: SourceFile, start: Int, end: Int) {
        self.file = file
        self.start = start
        self.end = max(start, end)
    }

    /// The smallest range covering both.
    public func to(_ other: SourceRange) -> SourceRange {
        SourceRange(file: file, start: min(start, other.start), end: max(end, other.end))
    }

    public var position: (line: Int, column: Int) { file.position(of: start) }
}
