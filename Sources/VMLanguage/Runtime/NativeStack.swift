import Foundation

/// The interpreter recurses on the native stack (blocks, calls, expressions),
/// bounded by `Limits.maximumDepth` levels. The main thread's stack is
/// whatever the system gave it (8 MiB here, less elsewhere); work that runs
/// scripts runs on a thread whose stack is known to hold the whole budget.
public enum NativeStack {
    /// Bytes of stack for a thread that runs scripts: room for the depth
    /// budget at a few KiB a level in a debug build, many times over. Only the
    /// pages a script really uses are ever touched.
    public static let size = 512 << 20
    private static let alternateStackSize = 256 << 10

    /// Runs `body` on a fresh thread with a stack of `size` bytes and waits for it.
    public static func run<Result>(_ body: @escaping () -> Result) -> Result {
        let box = ResultBox<Result>(body)
        let done = DispatchSemaphore(value: 0)
        // Ctrl-C must reach the thread that reads the terminal (its read then
        // fails with EINTR): the waiting thread blocks SIGINT, so the kernel
        // delivers it to the worker, which unblocks it.
        var interrupt = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        var saved = sigset_t()
        pthread_sigmask(SIG_BLOCK, &interrupt, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        let thread = Thread {
            // So must the fatal signals CrashFlush handles, even when the
            // parent started vmlab with them blocked (as a test runner's
            // worker threads do).
            var unblock = sigset_t()
            sigemptyset(&unblock)
            for signal in [SIGINT] + CrashFlush.signals { sigaddset(&unblock, signal) }
            pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
            // A signal handler needs stack of its own when this one overflows (CrashFlush).
            let alternate = UnsafeMutableRawPointer.allocate(byteCount: alternateStackSize, alignment: 16)
            var stack = stack_t(ss_sp: alternate, ss_flags: 0, ss_size: alternateStackSize)
            sigaltstack(&stack, nil)
            box.value = box.work()
            stack.ss_flags = Int32(SS_DISABLE)
            sigaltstack(&stack, nil)
            alternate.deallocate()
            done.signal()
        }
        thread.stackSize = size
        thread.start()
        done.wait()
        return box.value!
    }
}

/// Hands the work to the thread and its result back; the semaphore orders
/// the accesses, and the caller waits, so nothing runs concurrently.
private final class ResultBox<Value>: @unchecked Sendable {
    let work: () -> Value
    var value: Value?

    init(_ work: @escaping () -> Value) { self.work = work }
}
