import Foundation

/// Runs a program on a fresh pseudo-terminal, as a person at a keyboard
/// would: it is a session leader whose controlling terminal is the pty, so
/// Ctrl-C reaches it as SIGINT and libedit sees a real terminal.
final class Terminal {
    private let master: Int32
    private let pid: pid_t
    private var exitStatus: Int32?
    /// Everything the program wrote, raw (with escape sequences).
    private(set) var output = ""

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `directory`: where the program runs (default: the test's own working directory).
    init(_ executable: String, arguments: [String] = [], environment: [String: String], directory: String? = nil) throws {
        // posix_openpt/ptsname are hidden from Swift's Glibc module; their Linux
        // equivalents: open the multiplexer, unlock, ask for the number.
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        // TIOCSPTLCK = _IOW('T', 0x31, int), TIOCGPTN = _IOR('T', 0x30, unsigned): function-like
        // macros Swift does not import; these are their values on Linux.
        let setLock: UInt = 0x4004_5431
        let getNumber: UInt = 0x8004_5430
        guard master >= 0, ioctl(master, setLock, &unlock) == 0, ioctl(master, getNumber, &number) == 0
        else { throw Failure(description: "cannot open a pseudo-terminal") }
        let slavePath = "/dev/pts/\(number)"
        var size = winsize(ws_row: 40, ws_col: 120, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A new session: opening the pty below then makes it the controlling terminal.
        // POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF (glibc values; the
        // macros are not imported into Swift): a new session, no signal blocked or ignored
        // because the test runner's threads had them so.
        posix_spawnattr_setflags(&attributes, 0x80 | 0x08 | 0x04)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGQUIT, SIGTSTP, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addclose(&actions, master)
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        if let directory { _ = spawnActionsChangeDirectory(&actions, directory) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw Failure(description: "cannot start \(executable): error \(spawned)") }
        pid = child
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(master)
    }

    /// libedit prints the prompt a moment before it switches the terminal to
    /// raw mode; keys sent in that moment are echoed by the kernel as well.
    /// A person never types that fast.
    func settle() {
        readAvailable(waitingMilliseconds: 50)
    }

    func send(_ keys: String) {
        let bytes = Array(keys.utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Reads what the program writes until `text` has appeared `count` times
    /// in the output without escape sequences, or the time runs out.
    @discardableResult
    func waitFor(_ text: String, count: Int = 1, timeout: Double = 15) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while occurrences(of: text) < count {
            guard Date() < deadline else { return false }
            readAvailable(waitingMilliseconds: 50)
        }
        return true
    }

    /// Counts `text` in the plain output, scanning only what arrived since the last call.
    private func occurrences(of text: String) -> Int {
        let needle = Array(text.utf8)
        var (scanned, found) = searches[text] ?? (0, 0)
        var position = scanned
        while position + needle.count <= plain.count {
            if plain[position] == needle[0] && Array(plain[position..<(position + needle.count)]) == needle {
                found += 1
                position += needle.count
            } else {
                position += 1
            }
        }
        scanned = position
        searches[text] = (scanned, found)
        return found
    }

    private var searches: [String: (scanned: Int, found: Int)] = [:]
    /// The output with escape sequences, carriage returns and bells removed, kept as it arrives.
    private var plain: [UInt8] = []
    private var escape = EscapeState.none

    private enum EscapeState {
        case none
        case afterEscape
        case inControlSequence
    }

    private func appendPlain(_ bytes: ArraySlice<UInt8>) {
        for byte in bytes {
            switch escape {
            case .afterEscape:
                escape = byte == UInt8(ascii: "[") ? .inControlSequence : .none
            case .inControlSequence:
                if (0x40...0x7E).contains(byte) { escape = .none }
            case .none:
                if byte == 0x1B {
                    escape = .afterEscape
                } else if byte != UInt8(ascii: "\r") && byte != 0x07 {
                    plain.append(byte)
                }
            }
        }
    }

    /// Waits for the program to end, reading its output meanwhile.
    func waitForExit(timeout: Double = 15) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            readAvailable(waitingMilliseconds: 20)
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                readAvailable(waitingMilliseconds: 0)
                let exited = status & 0x7F == 0
                exitStatus = exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
                return exitStatus
            }
        }
        return nil
    }

    private func readAvailable(waitingMilliseconds: Int32) {
        var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, waitingMilliseconds) > 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let count = read(master, &buffer, buffer.count)
        guard count > 0 else { return }
        output += String(decoding: buffer[0..<count], as: UTF8.self)
        appendPlain(buffer[0..<count])
    }

    /// The output without terminal escape sequences and carriage returns.
    var plainOutput: String { String(decoding: plain, as: UTF8.self) }
}

/// glibc's posix_spawn_file_actions_addchdir_np (2.29 and later), which Swift's Glibc module does not import.
@_silgen_name("posix_spawn_file_actions_addchdir_np")
private func spawnActionsChangeDirectory(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>) -> Int32
