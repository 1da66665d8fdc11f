import Foundation

/// A file as the kernel knows it, whatever its name: a course's tests file
/// and expected transcripts are recognised by this, through any path.
public struct FileIdentity: Hashable, Sendable {
    public let device: UInt64
    public let inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    /// The identity of the file at `path` (links followed), if there is one.
    public init?(path: HostPath) {
        var info = stat()
        guard !path.containsNUL, path.withCString({ stat($0, &info) }) == 0 else { return nil }
        self.init(info)
    }

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

/// What an untrusted submission may reach on the host. One rule serves the
/// submission itself and every file it names (`include` today; any later
/// command that reads a file goes through `open`):
///
/// - a path relative to the submission's own folder, walked one component
///   at a time with `openat` from that folder, following no symbolic link
///   at any step (`O_NOFOLLOW`), never `..`, never absolute;
/// - a submission with no folder of its own (one file among others in a
///   flat folder, or graded alone) reaches no file but itself;
/// - only a regular file with one link (no FIFO, device, socket or hard
///   link), opened without blocking and checked with `fstat` before a byte
///   is read, and never one of the course's own files (by identity);
/// - nothing is ever written.
///
/// Refusals name the rule and quote nothing of the file.
public final class Sandbox {
    /// The submission's own folder, when it has one: files beneath it may be included.
    public let folder: HostPath?
    private let folderDescriptor: Int32
    /// The tests file and its transcripts: never opened for a submission.
    private let protected: Set<FileIdentity>
    /// Untrusted source files by the name their code runs under, with their
    /// place under `folder` (the components of their folder).
    private var untrusted: [String: [HostPath]]

    public init(submission path: String, folder: HostPath? = nil, protected: Set<FileIdentity> = []) {
        self.folder = folder
        self.protected = protected
        folderDescriptor =
            folder.flatMap { folder in
                folder.containsNUL ? nil : folder.withCString { Glibc.open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
            } ?? -1
        untrusted = [path: []]
    }

    deinit {
        if folderDescriptor >= 0 { close(folderDescriptor) }
    }

    /// Whether code from `file` runs under the sandbox's rules.
    public func isUntrusted(_ file: String) -> Bool { untrusted[file] != nil }

    public struct Refusal: Error, Sendable {
        public let message: String
        init(_ message: String) { self.message = message }
    }

    /// The submission itself: a regular file with one link, not a link, not
    /// one of the course's files, UTF-8. Its text is never quoted in a refusal.
    public static func readSubmission(_ path: HostPath, protected: Set<FileIdentity> = []) throws(Refusal) -> String {
        let name = path.display
        guard !path.containsNUL else { throw Refusal("a file name cannot contain a NUL byte") }
        let descriptor = path.withCString { openNoFollow(AT_FDCWD, $0) }
        let bytes = try readConfined(descriptor, name: name, protected: protected)
        do {
            return try ScriptLoader.decode(bytes, name: name)
        } catch {
            throw Refusal((error as? ScriptLoader.Failure)?.message ?? "'\(name)' is not UTF-8 text")
        }
    }

    /// An `include` from untrusted code: the file's name for diagnostics and its text.
    func include(_ path: String, from includer: String) throws(Refusal) -> (name: String, text: String) {
        try openFile(path, from: includer, suffix: ".vml")
    }

    /// Opens `path`, named by untrusted code in `includer`, by the rule above.
    func openFile(_ path: String, from includer: String, suffix: String) throws(Refusal) -> (name: String, text: String) {
        if path.contains("\0") { throw Refusal("a file name cannot contain a NUL byte") }
        if path.hasPrefix("/") || path.hasPrefix("~") {
            throw Refusal("a graded submission may include only files beside it, not '\(path)'")
        }
        let pieces = path.split(separator: "/", omittingEmptySubsequences: true)
        if pieces.contains("..") {
            throw Refusal("a graded submission may not include files outside its folder ('..')")
        }
        guard path.hasSuffix(suffix) else { throw Refusal("only \(suffix) scripts can be included, not '\(path)'") }
        guard let folder, folderDescriptor >= 0 else {
            throw Refusal(
                "this submission is graded alone or among others in one folder, so it may include no file; "
                    + "graded from a folder of its own (or with vmlab grade --own-folder), it may include files there")
        }
        let components = (untrusted[includer] ?? []) + pieces.filter { $0 != "." }.map { HostPath(String($0)) }
        guard let last = components.last else { throw Refusal("'\(path)' names no file") }
        var directory = folderDescriptor
        defer { if directory != folderDescriptor { close(directory) } }
        for component in components.dropLast() {
            let next = component.withCString { openat(directory, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
            guard next >= 0 else {
                throw Refusal(
                    errno == ENOENT
                        ? "cannot open '\(path)': no such file"
                        : "'\(path)' passes through '\(component.display)', which is not a folder of the submission's own (a symbolic link?)")
            }
            if directory != folderDescriptor { close(directory) }
            directory = next
        }
        let descriptor = last.withCString { Self.openNoFollow(directory, $0) }
        let name = components.reduce(folder) { $0.appending($1) }.display
        let bytes: [UInt8]
        do {
            bytes = try Self.readConfined(descriptor, name: path, protected: protected)
        }
        let text: String
        do {
            text = try ScriptLoader.decode(bytes, name: name)
        } catch {
            throw Refusal((error as? ScriptLoader.Failure)?.message ?? "'\(path)' is not UTF-8 text")
        }
        untrusted[name] = Array(components.dropLast())
        return (name, text)
    }

    /// `openat` for reading that follows no link and never blocks (a FIFO
    /// with no writer would): the caller checks what was opened before reading.
    private static func openNoFollow(_ directory: Int32, _ name: UnsafePointer<CChar>) -> Int32 {
        openat(directory, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
    }

    /// Reads an opened file after `fstat` says it may be read: regular, one
    /// link, not the course's, not too large. Closes the descriptor.
    private static func readConfined(_ descriptor: Int32, name: String, protected: Set<FileIdentity>)
        throws(Refusal) -> [UInt8]
    {
        guard descriptor >= 0 else {
            switch errno {
            case ELOOP, EMLINK: throw Refusal("'\(name)' is a symbolic link; a graded submission opens only regular files")
            case ENOENT: throw Refusal("cannot open '\(name)': no such file")
            default: throw Refusal("cannot open '\(name)': \(String(cString: strerror(errno)).lowercased())")
            }
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw Refusal("cannot open '\(name)'") }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw Refusal(
                "'\(name)' is not a regular file (a folder, pipe, device or socket); a graded submission opens only regular files")
        }
        guard info.st_nlink == 1 else {
            throw Refusal("'\(name)' has other names (hard links); a graded submission opens only files with one name")
        }
        guard !protected.contains(FileIdentity(info)) else {
            throw Refusal("'\(name)' is one of the course's files, which a submission may not open")
        }
        guard info.st_size <= ScriptLoader.maximumBytes else {
            throw Refusal("'\(name)' is larger than \(ScriptLoader.maximumBytes >> 20) MiB; is it really a script?")
        }
        do {
            return try ScriptLoader.readAll(descriptor, name: name, expected: Int(info.st_size))
        } catch {
            throw Refusal(error.message)
        }
    }
}
