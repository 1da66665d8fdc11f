/// OSTEP's page dump (vm-smalltables/paging-multilevel-translate.py): one
/// line per physical page, `page  12:` and the page's bytes in hex, and a
/// `PDBR: 108  (decimal) …` line. The simulator's whole printout is accepted
/// as it is: every other line (ARG lines, the questions) is ignored. `show
/// memory` prints the same format, so a dump round-trips.
public struct PageDump: Equatable {
    /// Page number and its bytes, in file order.
    public internal(set) var pages: [(number: UInt64, bytes: [UInt8])] = []
    /// The base register's value (a frame number), when the dump gives one.
    public internal(set) var baseRegister: UInt64?

    public static func == (lhs: PageDump, rhs: PageDump) -> Bool {
        lhs.baseRegister == rhs.baseRegister && lhs.pages.elementsEqual(rhs.pages) { $0 == $1 }
    }

    public struct BadLine: Error, Equatable {
        public let line: Int
        public let column: Int
        public let message: String
    }

    /// Parses `text` for a machine of `pageCount` pages of `pageSize` bytes.
    public static func parse(_ text: String, pageSize: Int, pageCount: UInt64) throws(BadLine) -> PageDump {
        var dump = PageDump()
        var firstLine: [UInt64: Int] = [:]
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = offset + 1
            let characters = Array(rawLine.utf8)
            var position = 0
            func skipSpaces() { while position < characters.count, characters[position] == 32 || characters[position] == 9 || characters[position] == 13 { position += 1 } }
            func word(_ text: String) -> Bool {
                let bytes = Array(text.utf8)
                guard characters.count - position >= bytes.count, Array(characters[position..<position + bytes.count]) == bytes else { return false }
                position += bytes.count
                return true
            }
            func number() -> UInt64? {
                var value: UInt64 = 0
                let start = position
                while position < characters.count, (48...57).contains(characters[position]), position - start < 12 {
                    value = value * 10 + UInt64(characters[position] - 48)
                    position += 1
                }
                return position > start ? value : nil
            }
            skipSpaces()
            if word("PDBR:") || word("PTBR:") {
                skipSpaces()
                let column = position + 1
                guard let value = number() else {
                    throw BadLine(line: line, column: column, message: "the base register needs a decimal frame number")
                }
                guard value < pageCount else {
                    throw BadLine(line: line, column: column, message: "frame \(value) is past this machine's \(pageCount) pages")
                }
                dump.baseRegister = value
                continue
            }
            guard word("page") else { continue }
            skipSpaces()
            let numberColumn = position + 1
            guard let page = number() else { continue }  // "page size: 32" and other prose
            skipSpaces()
            guard word(":") else { continue }
            guard page < pageCount else {
                throw BadLine(line: line, column: numberColumn, message: "page \(page) is past this machine's \(pageCount) pages (0 to \(pageCount - 1))")
            }
            if let earlier = firstLine[page] {
                throw BadLine(line: line, column: numberColumn, message: "page \(page) appears twice (first on line \(earlier))")
            }
            firstLine[page] = line
            var bytes: [UInt8] = []
            var high: UInt8?
            while position < characters.count {
                let character = characters[position]
                position += 1
                if character == 32 || character == 9 || character == 13 { continue }
                guard let digit = hexDigit(character) else {
                    throw BadLine(line: line, column: position, message: "'\(Character(Unicode.Scalar(character)))' is not a hex digit")
                }
                if let first = high {
                    bytes.append(first << 4 | digit)
                    high = nil
                } else {
                    high = digit
                }
            }
            guard high == nil else {
                throw BadLine(line: line, column: numberColumn, message: "page \(page) has an odd number of hex digits")
            }
            guard bytes.count == pageSize else {
                throw BadLine(
                    line: line, column: numberColumn,
                    message: "page \(page) holds \(bytes.count) bytes; this machine's pages hold \(pageSize)")
            }
            dump.pages.append((page, bytes))
        }
        guard !dump.pages.isEmpty else {
            throw BadLine(line: 1, column: 1, message: "no 'page N:' lines: this is not a page dump")
        }
        return dump
    }

    private static func hexDigit(_ character: UInt8) -> UInt8? {
        switch character {
        case 48...57: return character - 48
        case 97...102: return character - 87
        case 65...70: return character - 55
        default: return nil
        }
    }

    /// Memories of at most this many pages are listed whole, zero pages too, as OSTEP prints them.
    static let fullListingPages: UInt64 = 256
    /// A larger memory lists at most this many pages that hold data.
    static let listedPagesCap = 256

    /// The lines `show memory` prints: `page %3d:` and the bytes, as OSTEP
    /// does; every page of a small memory, and of a large one only the pages
    /// in `touched` storage frames that hold a nonzero byte, at most
    /// `listedPagesCap` of them, with a line saying what was left out.
    static func lines(pageSize: Int, pageCount: UInt64, touched: () -> [UInt64], byte: (UInt64) -> UInt8) -> [String] {
        guard pageCount > fullListingPages else { return (0..<pageCount).map { line($0, pageSize, byte) } }
        let perFrame = max(1, 4096 / UInt64(pageSize))
        var listed: [String] = []
        var more = 0
        for frame in touched() {
            for page in (frame * perFrame)..<min((frame + 1) * perFrame, pageCount)
            where (0..<UInt64(pageSize)).contains(where: { byte(page * UInt64(pageSize) + $0) != 0 }) {
                if listed.count < listedPagesCap { listed.append(line(page, pageSize, byte)) } else { more += 1 }
            }
        }
        var note = "(\(pageCount) pages of \(pageSize) bytes: the \(listed.count) that hold data are shown, every other one is all zeros"
        if more > 0 { note += "; \(more) more hold data past the first \(listedPagesCap): phys(ADDR) reads any byte" }
        return listed + [note + ")"]
    }

    private static func line(_ page: UInt64, _ pageSize: Int, _ byte: (UInt64) -> UInt8) -> String {
        let digits = Array("0123456789abcdef")
        let number = String(page)
        var text = "page " + String(repeating: " ", count: max(0, 3 - number.count)) + number + ":"
        for offset in 0..<UInt64(pageSize) {
            let value = byte(page * UInt64(pageSize) + offset)
            text.append(digits[Int(value >> 4)])
            text.append(digits[Int(value & 15)])
        }
        return text
    }
}
