import VMMachine

/// `show pagetable A format=vmprint`: the page table as xv6's `vmprint()`
/// prints it (the pgtbl lab of MIT 6.S081/6.1810): the root's address, then
/// every valid entry depth first, one " .." per level, its index, the entry
/// as memory holds it and the physical address it points at.
///
///     page table 0x0000000000206000
///      ..0: pte 0x0000000000082801 pa 0x000000000020a000
///      .. ..2: pte 0x0000000000082c01 pa 0x000000000020b000
///      .. .. ..0: pte 0x00000000000824d7 pa 0x0000000000209000
///
/// With `virtualAddresses` (the 2024 lab's form) each line starts with the
/// virtual address the entry maps instead of its index:
///
///      .. .. ..0x0000000000400000: pte 0x00000000000824d7 pa 0x0000000000209000
enum VMPrint {
    static func pageTable(_ process: Process, machine: Machine, virtualAddresses: Bool = false) -> String {
        // The separate design's process table is the one its user code runs on, as xv6's is.
        let root = machine.configuration.separateKernelTable ? process.userRoot ?? process.root : process.root
        var lines = ["page table \(pointer(root))"]
        append(
            table: root, level: machine.architecture.levels, base: 0, depth: 1, virtualAddresses: virtualAddresses,
            machine: machine, into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func append(
        table: UInt64, level: Int, base: UInt64, depth: Int, virtualAddresses: Bool, machine: Machine,
        into lines: inout [String]
    ) {
        let architecture = machine.architecture
        for slot in machine.presentEntries(ofTable: table, level: level) {
            let prefix = String(repeating: " ..", count: depth)
            let address = architecture.canonical(base | UInt64(slot.index) << architecture.shift(ofLevel: level))
            let label = virtualAddresses ? pointer(address) : "\(slot.index)"
            lines.append("\(prefix)\(label): pte \(pointer(slot.raw)) pa \(pointer(slot.entry.address))")
            if level > 1 && !slot.entry.leaf {
                append(
                    table: slot.entry.address, level: level - 1, base: address, depth: depth + 1,
                    virtualAddresses: virtualAddresses, machine: machine, into: &lines)
            }
        }
    }

    /// C's %p as xv6's printf prints it: 0x and 16 hex digits.
    private static func pointer(_ value: UInt64) -> String { Format.entryHex(value, bytes: 8) }
}
