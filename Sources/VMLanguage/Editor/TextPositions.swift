/// Editors count positions as a line and a character within it, the
/// character in UTF-16 code units (the Language Server Protocol's default);
/// vmlab's ranges are byte offsets. These convert between the two.
public struct TextPositions: Sendable {
    public let bytes: [UInt8]
    /// The byte offset where each line starts (the file's own table).
    private let lineStarts: [UInt32]

    private let file: SourceFile

    public init(_ file: SourceFile) {
        self.file = file
        bytes = file.bytes
        lineStarts = file.lineStarts
    }

    /// 0-based line and UTF-16 character of a byte offset.
    public func position(of offset: Int) -> (line: Int, character: Int) {
        let clamped = max(0, min(offset, bytes.count))
        let line = file.lineIndex(containing: clamped)
        let prefix = String(decoding: bytes[Int(lineStarts[line])..<clamped], as: UTF8.self)
        return (line, prefix.utf16.count)
    }

    /// The byte offset of a 0-based line and UTF-16 character, clamped to
    /// the line (a position past its end is its end, as the protocol says).
    public func offset(line: Int, character: Int) -> Int {
        guard line >= 0 else { return 0 }
        guard line < lineStarts.count else { return bytes.count }
        let start = Int(lineStarts[line])
        var end = line + 1 < lineStarts.count ? Int(lineStarts[line + 1]) - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        var units = 0
        var byteOffset = start
        for scalar in text.unicodeScalars {
            let width = scalar.value > 0xFFFF ? 2 : 1
            guard units + width <= character else { break }
            units += width
            byteOffset += String(scalar).utf8.count
        }
        return byteOffset
    }
}
