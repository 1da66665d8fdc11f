#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file name as the operating system keeps it: bytes, which need not be
/// UTF-8. Swift turns a command-line argument that is not UTF-8 into a
/// String with U+FFFD for each bad byte, which names another file (or
/// none); HostPath finds the argument's bytes again, so `vmlab run café.vml`
/// in Latin-1 opens the file the shell named, and messages show the name as
/// it is, bad bytes written \xE9.
public struct HostPath: Sendable, Hashable, Comparable {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// The path a Swift string names. A string holding U+FFFD that came from
    /// a command-line argument means that argument's own bytes (or, for
    /// `--option=VALUE`, the bytes after the first `=`).
    public init(_ path: String) {
        let utf8 = Array(path.utf8)
        if path.unicodeScalars.contains("\u{FFFD}"), let raw = Self.commandLineBytes(decodingTo: path) {
            bytes = raw
        } else {
            bytes = utf8
        }
    }

    /// The name for messages: UTF-8 as it is, any other byte as \xNN, so that
    /// two different names never look alike.
    public var display: String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var shown = ""
        var index = 0
        while index < bytes.count {
            let length = Self.validSequenceLength(bytes, at: index)
            if length > 0 {
                shown += String(decoding: bytes[index..<index + length], as: UTF8.self)
                index += length
            } else {
                shown += "\\x" + String(bytes[index] >> 4, radix: 16, uppercase: true)
                    + String(bytes[index] & 0xF, radix: 16, uppercase: true)
                index += 1
            }
        }
        return shown
    }

    /// The name with nothing that could pass for something else: `\` as
    /// `\\`, control characters and bytes that are not UTF-8 as `\xNN`.
    /// Two different names never escape alike, and none spans two lines.
    public var escaped: String {
        var shown = ""
        var index = 0
        func hex(_ byte: UInt8) {
            shown += "\\x" + String(byte >> 4, radix: 16, uppercase: true)
                + String(byte & 0xF, radix: 16, uppercase: true)
        }
        while index < bytes.count {
            let length = Self.validSequenceLength(bytes, at: index)
            guard length > 0 else {
                hex(bytes[index])
                index += 1
                continue
            }
            let scalar = String(decoding: bytes[index..<index + length], as: UTF8.self).unicodeScalars.first!
            switch scalar.value {
            case 0x5C: shown += "\\\\"
            case 0..<0x20, 0x7F: hex(UInt8(scalar.value))
            case 0x80..<0xA0: shown += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: shown.unicodeScalars.append(scalar)
            }
            index += length
        }
        return shown
    }

    public var containsNUL: Bool { bytes.contains(0) }

    /// `self/component`.
    public func appending(_ component: HostPath) -> HostPath {
        if bytes.isEmpty || bytes.last == UInt8(ascii: "/") { return HostPath(bytes: bytes + component.bytes) }
        return HostPath(bytes: bytes + [UInt8(ascii: "/")] + component.bytes)
    }

    public func hasSuffix(_ suffix: String) -> Bool { bytes.suffix(suffix.utf8.count).elementsEqual(suffix.utf8) }

    public func hasPrefix(_ prefix: String) -> Bool { bytes.prefix(prefix.utf8.count).elementsEqual(prefix.utf8) }

    /// Calls `body` with the path as a C string (callers refuse NUL bytes first).
    public func withCString<Result>(_ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        try (bytes + [0]).withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }

    /// The file's mode (S_IFREG, S_IFDIR, …), following links; nil if there is none.
    public func fileType() -> mode_t? {
        var info = stat()
        guard !containsNUL, withCString({ stat($0, &info) }) == 0 else { return nil }
        return info.st_mode & S_IFMT
    }

    /// The file's own mode, not following a final symbolic link (S_IFLNK for one); nil if there is none.
    public func linkType() -> mode_t? {
        var info = stat()
        guard !containsNUL, withCString({ lstat($0, &info) }) == 0 else { return nil }
        return info.st_mode & S_IFMT
    }

    /// The names in a directory, byte for byte, without "." and "..", in byte order.
    public func directoryEntries() -> [HostPath]? {
        guard !containsNUL, let directory = withCString({ opendir($0) }) else { return nil }
        defer { closedir(directory) }
        var names: [HostPath] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix(while: { $0 != 0 }))
            }
            if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            names.append(HostPath(bytes: name))
        }
        return names.sorted()
    }

    /// Writes `contents` to this path, whole or not at all: into a temporary
    /// file beside it, then renamed over it. Only a regular file is ever
    /// replaced (never a link, a device or a folder), keeping its
    /// permissions; with `mayCreate` a missing file is created. Returns the
    /// error text on failure.
    public func writeAtomically(_ contents: [UInt8], mayCreate: Bool) -> String? {
        guard !containsNUL else { return "a file name cannot contain a NUL byte" }
        var info = stat()
        var mode: mode_t = 0o644
        if withCString({ lstat($0, &info) }) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG: mode = info.st_mode & 0o7777
            case S_IFLNK: return "it is a symbolic link; vmlab replaces only regular files"
            case S_IFDIR: return "it is a directory"
            default: return "not a regular file (a pipe, device or socket)"
            }
        } else if !mayCreate || errno != ENOENT {
            return String(cString: strerror(errno)).lowercased()
        }
        let temporary = HostPath(bytes: bytes + Array(".vmlab-\(getpid())~".utf8))
        let descriptor = temporary.withCString { open($0, O_WRONLY | O_CREAT | O_EXCL, mode) }
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        var written = 0
        var failure: String?
        contents.withUnsafeBytes { buffer in
            while written < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 {
                    failure = String(cString: strerror(errno))
                    return
                }
                written += count
            }
        }
        if failure == nil && fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        close(descriptor)
        if failure == nil {
            let renamed = temporary.withCString { from in withCString { to in rename(from, to) } }
            if renamed != 0 { failure = String(cString: strerror(errno)) }
        }
        if failure != nil { _ = temporary.withCString { unlink($0) } }
        return failure
    }

    public static func < (left: HostPath, right: HostPath) -> Bool { left.bytes.lexicographicallyPrecedes(right.bytes) }

    /// Length of the well-formed UTF-8 sequence at `index`, or 0.
    private static func validSequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let first = bytes[index]
        let length: Int
        switch first {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return 0
        }
        guard index + length <= bytes.count else { return 0 }
        return String(validating: bytes[index..<index + length], as: UTF8.self) == nil ? 0 : length
    }

    /// The bytes of the command-line argument that decodes to `path`.
    private static func commandLineBytes(decodingTo path: String) -> [UInt8]? {
        for index in 0..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[index] else { continue }
            let raw = Array(UnsafeBufferPointer(start: pointer, count: strlen(pointer))).map { UInt8(bitPattern: $0) }
            if String(decoding: raw, as: UTF8.self) == path { return raw }
            if let equals = raw.firstIndex(of: UInt8(ascii: "=")), raw.first == UInt8(ascii: "-") {
                let value = Array(raw[(equals + 1)...])
                if String(decoding: value, as: UTF8.self) == path { return value }
            }
        }
        return nil
    }
}
