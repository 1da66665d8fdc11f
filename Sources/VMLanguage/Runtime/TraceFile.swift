#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Dispatch
import VMMachine

/// Memory traces for `replay`, in one of two formats, told apart by the
/// first line that is a reference:
///
/// - valgrind lackey's `--trace-mem=yes` output: `I  0400d7d4,8` (an
///   instruction fetch), ` L 04222cac,8` (load), ` S …` (store), ` M …`
///   (modify: a load and a store); hex addresses without `0x`, sizes in
///   decimal. Valgrind's own `==PID==` lines (as `--log-file` writes them)
///   are skipped.
/// - a plain list, one reference a line: an address in hex with `0x` or in
///   decimal, optionally after `R` or `W` (a load, the default, or a store).
///
/// Blank lines and lines starting with `#` are skipped in both. A line that
/// is neither is an error at its line and column; the error never quotes the
/// line, so a file named by mistake is not echoed.
public enum TraceFile {
    public enum Format: String, Sendable {
        case lackey, plain
    }

    public struct Loaded: Sendable {
        public internal(set) var trace: MemoryTrace
        public let format: Format
        /// Malformed lines passed over (with skipping asked for).
        public internal(set) var skipped: Int
    }

    public struct BadLine: Error, Sendable {
        public let line: Int
        public let column: Int
        public let message: String
    }

    /// Traces are read whole; larger files are refused.
    public static let maximumBytes = 1 << 30

    /// The trace's bytes: a regular file, read as scripts are (ScriptLoader), at most `maximumBytes`.
    public static func read(_ path: HostPath) throws(ScriptLoader.Failure) -> [UInt8] {
        try ScriptLoader.readBytes(path, maximumBytes: maximumBytes)
    }

    /// Reads and parses the trace at `path`. The file is mapped into memory
    /// rather than copied in (a real program's trace is tens of megabytes,
    /// and reading it copied every byte twice); where it cannot be mapped it
    /// is read. Throws `ScriptLoader.Failure` or `BadLine`.
    public static func load(_ path: HostPath, skipBad: Bool = false) throws -> Loaded {
        let (descriptor, size) = try ScriptLoader.openRegularFile(path, maximumBytes: maximumBytes)
        defer { close(descriptor) }
        if size > 0, let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, descriptor, 0),
            mapping != MAP_FAILED
        {
            defer { munmap(mapping, size) }
            let bytes = UnsafeBufferPointer(start: mapping.assumingMemoryBound(to: UInt8.self), count: size)
            return try parseInHalves(bytes, skipBad: skipBad).get()
        }
        return try parse(try read(path), skipBad: skipBad)
    }

    /// Every reference of the trace. With `skipBad`, a malformed line is
    /// counted and passed over; without, the first one is the error.
    public static func parse(_ bytes: [UInt8], skipBad: Bool = false) throws(BadLine) -> Loaded {
        // A raw buffer: the line loop runs without an array's retains and checks per byte.
        let result = bytes.withUnsafeBufferPointer { parseInHalves($0, skipBad: skipBad) }
        return try result.get()
    }

    /// Traces at least this large are parsed in two halves at once.
    static let parallelBytes = 4 << 20

    /// Parses a large trace's two halves on two threads (the machine has
    /// the second core idle while a replay reads its file) and joins them:
    /// the same references, format, skipped count and first error, with its
    /// line number counted from the start of the file.
    static func parseInHalves(_ bytes: UnsafeBufferPointer<UInt8>, skipBad: Bool) -> Result<Loaded, BadLine> {
        guard bytes.count >= parallelBytes else { return parseWhole(bytes, skipBad: skipBad) }
        // The second half starts right after a line end.
        var middle = bytes.count / 2
        while middle < bytes.count && bytes[middle - 1] != 0x0A { middle += 1 }
        guard middle < bytes.count, let format = firstFormat(bytes) else { return parseWhole(bytes, skipBad: skipBad) }
        let halves = [
            UnsafeBufferPointer(rebasing: bytes[0..<middle]), UnsafeBufferPointer(rebasing: bytes[middle...]),
        ]
        let parts = UnsafeMutableBufferPointer<Part>.allocate(capacity: 2)
        defer { parts.deallocate() }
        nonisolated(unsafe) let shared = (halves, parts)
        DispatchQueue.concurrentPerform(iterations: 2) { half in
            (shared.1.baseAddress! + half).initialize(to: parse(shared.0[half], skipBad: skipBad, format: format))
        }
        // Moved out, not copied: the first half's array must be the only
        // reference to its storage, or appending would copy all of it.
        var first: Part? = parts.baseAddress!.move()
        let second = (parts.baseAddress! + 1).move()
        let firstLines = first!.lines
        var front: Loaded
        switch first!.result {
        case .failure(let bad): return .failure(bad)
        case .success(let loaded): front = loaded
        }
        let back: Loaded
        switch second.result {
        case .failure(let bad): return .failure(BadLine(line: bad.line + firstLines, column: bad.column, message: bad.message))
        case .success(let loaded): back = loaded
        }
        first = nil  // now `front` alone holds the first half's references
        front.trace.append(contentsOf: back.trace)
        front.skipped += back.skipped
        return .success(front)
    }

    /// One pass over every line, on this thread.
    static func parseWhole(_ bytes: UnsafeBufferPointer<UInt8>, skipBad: Bool) -> Result<Loaded, BadLine> {
        parse(bytes, skipBad: skipBad).result
    }

    /// The format of the first line that is a reference, if any.
    static func firstFormat(_ bytes: UnsafeBufferPointer<UInt8>) -> Format? {
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            var stop = end
            if stop > start && bytes[stop - 1] == UInt8(ascii: "\r") { stop -= 1 }
            if !isSkipped(bytes, start, stop) { return looksLikeLackey(bytes, start, stop) ? .lackey : .plain }
            start = end + 1
        }
        return nil
    }

    /// A parse of a whole trace or of one half: its result, and how many lines it read.
    struct Part {
        let result: Result<Loaded, BadLine>
        let lines: Int
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, skipBad: Bool, format known: Format? = nil) -> Part {
        var trace = MemoryTrace()
        // About one reference per 14 bytes in lackey's output.
        trace.reserve(bytes.count / 14)
        var format = known
        var skipped = 0
        var line = 0
        var start = 0
        while start < bytes.count {
            line += 1
            // memchr finds the line end many bytes at a time.
            let base = UnsafeRawPointer(bytes.baseAddress!)
            var end = bytes.count
            if let found = memchr(base + start, 0x0A, bytes.count - start) {
                end = UnsafeRawPointer(found) - base
            }
            var stop = end
            if stop > start && bytes[stop - 1] == UInt8(ascii: "\r") { stop -= 1 }
            defer { start = end + 1 }
            if format == .lackey, let reference = wellFormedLackey(bytes, start, stop) {
                trace.append(reference.address, reference.kind, size: reference.size)
                continue
            }
            if isSkipped(bytes, start, stop) { continue }
            let lineFormat = format ?? (looksLikeLackey(bytes, start, stop) ? .lackey : .plain)
            format = lineFormat
            let result = lineFormat == .lackey ? lackey(bytes, start, stop) : plain(bytes, start, stop)
            switch result {
            case .success(let reference):
                trace.append(reference.address, reference.kind, size: reference.size)
            case .failure(let problem):
                guard skipBad else {
                    return Part(
                        result: .failure(BadLine(line: line, column: problem.offset - start + 1, message: problem.message)),
                        lines: line)
                }
                skipped += 1
            }
        }
        return Part(result: .success(Loaded(trace: trace, format: format ?? .plain, skipped: skipped)), lines: line)
    }

    struct Reference {
        let address: UInt64
        let kind: MemoryTrace.Kind
        let size: UInt16
    }

    struct Problem: Error {
        let offset: Int
        let message: String
    }

    /// Blank, a `#` comment, or valgrind's `==PID==` chatter.
    static func isSkipped(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ stop: Int) -> Bool {
        var index = start
        while index < stop && (bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t")) { index += 1 }
        if index == stop || bytes[index] == UInt8(ascii: "#") { return true }
        return stop - start >= 2 && bytes[start] == UInt8(ascii: "=") && bytes[start + 1] == UInt8(ascii: "=")
    }

    static func looksLikeLackey(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ stop: Int) -> Bool {
        guard stop - start >= 3, bytes[start..<stop].contains(UInt8(ascii: ",")) else { return false }
        if bytes[start] == UInt8(ascii: "I") && bytes[start + 1] == UInt8(ascii: " ") { return true }
        return bytes[start] == UInt8(ascii: " ") && "LSM".utf8.contains(bytes[start + 1])
    }

    /// The common lackey line, read in one pass with no checks a well-formed
    /// line cannot fail: `I  4005b0,3` or ` L 7ff0001c8,8` (at most 16 hex
    /// digits, a size of 1 to 4 digits). Anything else is nil and goes to the
    /// careful reader (`lackey`), which says what is wrong and where.
    @inline(__always)
    static func wellFormedLackey(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ stop: Int) -> Reference? {
        guard stop - start >= 5 else { return nil }
        let kind: MemoryTrace.Kind
        switch (bytes[start], bytes[start + 1]) {
        case (0x49, 0x20): kind = .instruction  // "I "
        case (0x20, 0x4C): kind = .load  // " L"
        case (0x20, 0x53): kind = .store  // " S"
        case (0x20, 0x4D): kind = .modify  // " M"
        default: return nil
        }
        var index = start + 2
        while index < stop && bytes[index] == 0x20 { index += 1 }
        var address: UInt64 = 0
        let digits = index
        while index < stop {
            let byte = bytes[index]
            var digit = byte &- 0x30
            if digit > 9 {
                digit = (byte | 0x20) &- 0x61
                guard digit < 6 else { break }
                digit += 10
            }
            address = address << 4 | UInt64(digit)
            index += 1
        }
        guard index - digits >= 1, index - digits <= 16, index < stop, bytes[index] == 0x2C else { return nil }
        index += 1
        var size = 0
        let sizeDigits = index
        while index < stop, bytes[index] &- 0x30 <= 9 {
            size = size * 10 + Int(bytes[index] &- 0x30)
            index += 1
        }
        guard index == stop, index - sizeDigits >= 1, index - sizeDigits <= 4, size >= 1, size <= 4096 else {
            return nil
        }
        return Reference(address: address, kind: kind, size: UInt16(size))
    }

    static let lackeyExample = "expected a lackey reference such as ' L 04222cac,8' or 'I  0400d7d4,3'"

    static func lackey(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ stop: Int) -> Result<Reference, Problem> {
        let kind: MemoryTrace.Kind
        switch (bytes[start], stop - start > 1 ? bytes[start + 1] : 0) {
        case (UInt8(ascii: "I"), UInt8(ascii: " ")): kind = .instruction
        case (UInt8(ascii: " "), UInt8(ascii: "L")): kind = .load
        case (UInt8(ascii: " "), UInt8(ascii: "S")): kind = .store
        case (UInt8(ascii: " "), UInt8(ascii: "M")): kind = .modify
        default: return .failure(Problem(offset: start, message: lackeyExample))
        }
        var index = start + 2
        while index < stop && bytes[index] == UInt8(ascii: " ") { index += 1 }
        guard let (address, afterAddress) = number(bytes, index, stop, radix: 16), afterAddress < stop,
            bytes[afterAddress] == UInt8(ascii: ",")
        else { return .failure(Problem(offset: index, message: lackeyExample)) }
        guard let (size, afterSize) = number(bytes, afterAddress + 1, stop, radix: 10), afterSize == stop,
            size >= 1, size <= 4096
        else {
            return .failure(Problem(offset: afterAddress + 1, message: "expected a size in bytes from 1 to 4096 after the ','"))
        }
        return .success(Reference(address: address, kind: kind, size: UInt16(size)))
    }

    static let plainExample = "expected an address such as 0x7ffd1000 or 4096, optionally after R or W"

    static func plain(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ stop: Int) -> Result<Reference, Problem> {
        var index = start
        func skipSpace() {
            while index < stop && (bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t")) { index += 1 }
        }
        skipSpace()
        var kind = MemoryTrace.Kind.load
        if index < stop, "RrWw".utf8.contains(bytes[index]) {
            kind = bytes[index] | 0x20 == UInt8(ascii: "w") ? .store : .load
            index += 1
            let spaced = index < stop && (bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t"))
            guard spaced else { return .failure(Problem(offset: index, message: plainExample)) }
            skipSpace()
        }
        var radix: UInt64 = 10
        if stop - index > 2, bytes[index] == UInt8(ascii: "0"), bytes[index + 1] | 0x20 == UInt8(ascii: "x") {
            radix = 16
            index += 2
        }
        guard let (address, after) = number(bytes, index, stop, radix: radix) else {
            return .failure(Problem(offset: index, message: plainExample))
        }
        index = after
        skipSpace()
        guard index == stop else { return .failure(Problem(offset: index, message: plainExample)) }
        return .success(Reference(address: address, kind: kind, size: 8))
    }

    /// Digits of `radix` from `index`: the value and where they end, or nil
    /// if there are none or the value does not fit in 64 bits.
    static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int, _ stop: Int, radix: UInt64) -> (UInt64, Int)? {
        var value: UInt64 = 0
        var position = index
        while position < stop {
            let byte = bytes[position]
            let digit: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: digit = UInt64(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: digit = UInt64(byte - UInt8(ascii: "A") + 10)
            default: return position == index ? nil : (value, position)
            }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: radix)
            let (sum, carry) = shifted.addingReportingOverflow(digit)
            if overflow || carry { return nil }
            value = sum
            position += 1
        }
        return position == index ? nil : (value, position)
    }
}
