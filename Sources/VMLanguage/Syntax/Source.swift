/// A script's text with the bookkeeping needed to turn byte offsets into
/// line:column positions. Tokens carry offsets; positions are computed only
/// when a diagnostic needs them.
public final class SourceFile: Sendable {
    public let name: String
    public let bytes: [UInt8]
    /// Where each line starts: 32-bit, so that a file of newlines costs 4
    /// bytes a line here (scripts are capped at 16 MiB).
    let lineStarts: [UInt32]
    /// Whether diagnostics may quote this file's lines: only vmlab source
    /// (`.vml`) and what was typed or piped in. A syntax error in some other
    /// file named by mistake (`vmlab run /etc/passwd`) names the place only.
    public let quotesSource: Bool

    public init(name: String, text: String) {
        self.name = name
        quotesSource = name.hasSuffix(".vml") || name.hasPrefix("<")
        self.bytes = Array(text.utf8)
        var starts: [UInt32] = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") && offset < Int(UInt32.max) {
            starts.append(UInt32(offset + 1))
        }
        lineStarts = starts
    }

    /// 1-based line and column of `offset`; columns count characters, not bytes.
    public func position(of offset: Int) -> (line: Int, column: Int) {
        let clamped = max(0, min(offset, bytes.count))
        let line = lineIndex(containing: clamped)
        let column = bytes[Int(lineStarts[line])..<clamped].reduce(1) { count, byte in
            byte & 0xC0 == 0x80 ? count : count + 1
        }
        return (line + 1, column)
    }

    /// The 0-based line that `offset` (within the file) falls on: a binary search of the line starts.
    func lineIndex(containing offset: Int) -> Int {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if Int(lineStarts[middle]) <= offset { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The text of 1-based `line`, without its newline.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = Int(lineStarts[line - 1])
        var end = line < lineStarts.count ? Int(lineStarts[line]) - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    public func text(_ range: SourceRange) -> String {
        String(decoding: bytes[max(0, range.start)..<min(bytes.count, range.end)], as: UTF8.self)
    }
}

/// A span of bytes in one source file. Every syntax-tree node holds one, so
/// the offsets are 32-bit (16 bytes in all, not 24).
public struct SourceRange: Sendable {
    public let file: SourceFile
    private let startOffset: UInt32
    private let endOffset: UInt32

    public init(file: SourceFile, start: Int, end: Int) {
        self.file = file
        startOffset = UInt32(clamping: start)
        endOffset = UInt32(clamping: max(start, end))
    }

    public var start: Int { Int(startOffset) }
    public var end: Int { Int(endOffset) }

    /// The smallest range covering both.
    public func to(_ other: SourceRange) -> SourceRange {
        SourceRange(file: file, start: min(start, other.start), end: max(end, other.end))
    }

    public var position: (line: Int, column: Int) { file.position(of: start) }
}
