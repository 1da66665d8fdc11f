import CEditLine
import Foundation

/// The shell's history file, in libedit's own format. Every entered line is
/// merged into the file at once under an exclusive lock (so two shells at
/// once both keep their lines) and written to a temporary file that is then
/// renamed into place (so a crash never leaves a truncated file).
final class PersistentHistory {
    static let capacity: Int32 = 1000

    let path: String
    /// Set when the file exists but cannot be read as history: it is left alone.
    private(set) var problem: String?

    init(path: String) {
        // A history file behind a symbolic link is written through the link
        // (the rename goes to the real file), never replaced by a plain file.
        if let resolved = realpath(path, nil) {
            self.path = String(cString: resolved)
            free(resolved)
        } else {
            self.path = path
        }
    }

    /// `$XDG_STATE_HOME/vmlab/history`, else `~/.local/state/vmlab/history`.
    static func defaultPath(environment: [String: String]) -> String? {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return state + "/vmlab/history"
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.local/state/vmlab/history"
    }

    /// Loads the saved history into `list` (what the arrow keys walk).
    func load(into list: OpaquePointer) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        if vmlab_history_load(list, path) < 0 && fileSize() > 0 {
            problem = "\(path) is not a vmlab history file; it is left as it is and this session's history is not saved"
        }
    }

    /// Adds `line` to the file. Returns a warning to show if it could not.
    func append(_ line: String) -> String? {
        guard problem == nil else { return nil }
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            problem = "cannot create \(directory); history is not saved"
            return problem
        }
        let lock = open(path + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard lock >= 0 else {
            problem = "cannot lock \(path); history is not saved"
            return problem
        }
        defer { close(lock) }
        flock(lock, LOCK_EX)
        defer { flock(lock, LOCK_UN) }
        guard let merged = vmlab_history_init(Self.capacity) else { return "cannot start a history list" }
        defer { history_end(merged) }
        if FileManager.default.fileExists(atPath: path), vmlab_history_load(merged, path) < 0, fileSize() > 0 {
            problem = "\(path) is not a vmlab history file; it is left as it is and this session's history is not saved"
            return problem
        }
        vmlab_history_enter(merged, line)
        let temporary = path + ".tmp-\(getpid())"
        guard vmlab_history_save(merged, temporary) >= 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            problem = "cannot write \(path); history is not saved"
            return problem
        }
        return nil
    }

    private func fileSize() -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }
}
