/// What changed between two states of one machine, as typed values: the
/// events of a statement (`vmlab run --events`), worked out from the states
/// before and after it, so that every command's effects come out the same
/// way whichever command it was.
public enum MachineChange: Sendable, Equatable {
    /// A page-table entry changed in memory: the table's physical address, the index, the words.
    case entryWritten(table: UInt64, index: Int, old: UInt64, new: UInt64)
    /// A core's base register (CR3, satp, TTBR0, pgd_current) was loaded.
    case baseRegister(core: Int, old: UInt64, new: UInt64)
    /// A translation entered or left a core's TLB.
    case tlbFilled(core: Int, entry: TLBEntry)
    case tlbDropped(core: Int, entry: TLBEntry)
    /// Faults the kernel took, by kind, as counted before and after.
    case faults(before: FaultCounts, after: FaultCounts)
    /// Frames in use.
    case frames(old: UInt64, new: UInt64)
    case processCreated(pid: ProcessID, name: String)
    case processExited(pid: ProcessID, name: String)
}

extension MachineState {
    /// The changes from this state to `after`, in a fixed order: processes,
    /// base registers, entries (by table address and index), TLBs (by core,
    /// then slot order), faults, frames.
    public func changes(to after: MachineState, architecture: Architecture) -> [MachineChange] {
        var changes: [MachineChange] = []
        let pidsBefore = Set(processes.map(\.pid))
        let pidsAfter = Set(after.processes.map(\.pid))
        for process in after.processes where !pidsBefore.contains(process.pid) {
            changes.append(.processCreated(pid: process.pid, name: process.name))
        }
        for process in processes where !pidsAfter.contains(process.pid) {
            changes.append(.processExited(pid: process.pid, name: process.name))
        }
        for index in cores.indices where index < after.cores.count && cores[index].base != after.cores[index].base {
            changes.append(.baseRegister(core: index, old: cores[index].base, new: after.cores[index].base))
        }
        // Every table either state knows: the kernel's and each process's.
        var tables = Set(kernelTableFrames + after.kernelTableFrames)
        for process in processes + after.processes { tables.formUnion(process.tableFrames) }
        let width = architecture.entryBytes
        let perTable = Int(AddressLayout.pageSize / width)
        for frame in tables.sorted() {
            let base = frame * AddressLayout.pageSize
            guard memory.isTouched(frame: frame) || after.memory.isTouched(frame: frame) else { continue }
            for index in 0..<perTable {
                let address = base + UInt64(index) * width
                let old = Self.entry(memory, address, width)
                let new = Self.entry(after.memory, address, width)
                if old != new { changes.append(.entryWritten(table: base, index: index, old: old, new: new)) }
            }
        }
        for index in cores.indices where index < after.cores.count {
            let key = { (entry: TLBEntry) in "\(entry.virtualPage)/\(entry.pageShift)/\(entry.tag)/\(entry.frameBase)" }
            let old = cores[index].tlb.entries.filter(\.valid)
            let new = after.cores[index].tlb.entries.filter(\.valid)
            let oldKeys = Set(old.map(key))
            let newKeys = Set(new.map(key))
            for entry in old where !newKeys.contains(key(entry)) { changes.append(.tlbDropped(core: index, entry: entry)) }
            for entry in new where !oldKeys.contains(key(entry)) { changes.append(.tlbFilled(core: index, entry: entry)) }
        }
        if faultCounts != after.faultCounts { changes.append(.faults(before: faultCounts, after: after.faultCounts)) }
        if allocator.used != after.allocator.used { changes.append(.frames(old: allocator.used, new: after.allocator.used)) }
        return changes
    }

    private static func entry(_ memory: PhysicalMemory, _ address: UInt64, _ width: UInt64) -> UInt64 {
        let word = memory.load(address)
        return width >= 8 ? word : word & ((1 << (8 * width)) - 1)
    }
}
