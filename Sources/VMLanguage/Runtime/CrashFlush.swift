#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Output already printed must survive a crash. vmlab should never crash
/// (the fuzzer and the depth budget see to that), but if a trap, a bad
/// access or a SIGTERM ends it, the handler installed here writes standard
/// output's pending buffer with write(2), which is async-signal-safe, and
/// then lets the signal do what it did before: the Swift runtime's
/// backtrace, a core, or the exit status of a signal.
enum CrashFlush {
    static let signals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT, SIGTERM]
    nonisolated(unsafe) private static var buffer: UnsafeMutablePointer<UInt8>?
    nonisolated(unsafe) private static var count: UnsafeMutablePointer<Int>?
    /// The handlers that were there before, by signal number (raw memory: read in a signal handler).
    nonisolated(unsafe) private static let previous: UnsafeMutablePointer<sigaction> = {
        let table = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
        table.initialize(repeating: sigaction(), count: 65)
        return table
    }()
    nonisolated(unsafe) private static var installed = false

    /// Makes `buffer` the one flushed on a crash (the newest StandardStreams).
    static func register(buffer: UnsafeMutablePointer<UInt8>, count: UnsafeMutablePointer<Int>) {
        self.buffer = buffer
        self.count = count
        guard !installed else { return }
        installed = true
        for signal in signals {
            var action = sigaction()
            #if canImport(Glibc)
                action.__sigaction_handler.sa_handler = crashFlushHandler
            #else
                action.__sigaction_u.__sa_handler = crashFlushHandler
            #endif
            sigemptyset(&action.sa_mask)
            // On the alternate stack where one exists: a stack overflow leaves no room on the thread's own.
            action.sa_flags = SA_ONSTACK
            sigaction(signal, &action, previous + Int(signal))
        }
    }

    static func unregister(buffer: UnsafeMutablePointer<UInt8>) {
        guard self.buffer == buffer else { return }
        self.buffer = nil
        count = nil
    }

    /// Called from the signal handler only.
    fileprivate static func flushAndRestore(_ signal: Int32) {
        if let buffer, let count, count.pointee > 0 {
            var offset = 0
            let total = count.pointee
            count.pointee = 0
            while offset < total {
                let written = write(1, buffer + offset, total - offset)
                if written <= 0 { break }
                offset += written
            }
        }
        sigaction(signal, previous + Int(signal), nil)
    }
}

/// The handler proper: flush, put back the earlier handler, and raise the
/// signal again so that it ends the process as it would have.
private func crashFlushHandler(_ signal: Int32) {
    CrashFlush.flushAndRestore(signal)
    raise(signal)
}
