import CLandlock
import Foundation
import VMLanguage

/// The kernel's own sandbox for a grading worker: Landlock (Linux 5.13+),
/// a process restricting itself for good. Defence in depth behind the
/// Sandbox's file rules: even a bug in vmlab cannot read the course's files.
public enum KernelSandbox {
    /// The Landlock ABI version, or why there is none.
    public static var availability: Result<Int, Unavailable> {
        if ProcessInfo.processInfo.environment["VMLAB_LANDLOCK"] == "off" {
            return .failure(Unavailable(reason: "turned off by VMLAB_LANDLOCK=off"))
        }
        let abi = vmlab_landlock_abi()
        if abi >= 1 { return .success(Int(abi)) }
        let reason: String
        switch -abi {
        case ENOSYS: reason = "this kernel has no Landlock (Linux 5.13 or later has it)"
        case EOPNOTSUPP: reason = "Landlock is built into this kernel but turned off (lsm= boot parameter)"
        default: reason = "Landlock answered \(String(cString: strerror(-abi)))"
        }
        return .failure(Unavailable(reason: reason))
    }

    public struct Unavailable: Error {
        public let reason: String
    }

    /// From now on this process may open nothing but files beneath
    /// `readable` (for reading), create, write or run no file, bind or
    /// connect no TCP socket and (ABI 6) signal no process outside itself.
    /// Returns the ABI used.
    public static func restrict(readingOnly readable: [HostPath]) throws(Unavailable) -> Int {
        if case .failure(let unavailable) = availability { throw unavailable }
        let copies = readable.map { path in path.withCString { strdup($0) } }
        defer { copies.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        let result = pointers.withUnsafeBufferPointer {
            vmlab_landlock_restrict_to_reading($0.baseAddress, Int32(readable.count))
        }
        guard result >= 1 else {
            throw Unavailable(reason: "Landlock refused: \(String(cString: strerror(-result)))")
        }
        return Int(result)
    }
}
