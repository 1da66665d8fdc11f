import VMMachine

/// Number and size spellings shared by every renderer.
enum Format {
    static func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

    /// A mapping's rights as every listing spells them: "rw user", "rx kernel".
    static func rights(writable: Bool, noExecute: Bool, user: Bool) -> String {
        (writable ? "rw" : "r") + (noExecute ? "" : "x") + (user ? " user" : " kernel")
    }

    /// Zero-padded to 16 digits, for table columns.
    /// A page-table entry in full: 16 hex digits for 8 bytes, 8 for i386's 4.
    static func entryHex(_ value: UInt64, bytes: UInt64) -> String { "0x" + digits(value, radix: 16, count: 2 * Int(bytes)) }

    /// `value` in base `radix`, zero-filled to at least `count` digits, no prefix.
    static func digits(_ value: UInt64, radix: Int, count: Int) -> String {
        let text = String(value, radix: radix)
        return String(repeating: "0", count: max(0, count - text.count)) + text
    }

    /// 4096 → "4 KiB", 2097152 → "2 MiB"; other values in bytes.
    static func size(_ bytes: UInt64) -> String {
        for (shift, unit) in [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")] {
            let scale: UInt64 = 1 << UInt64(shift)
            if bytes >= scale && bytes % scale == 0 { return "\(bytes / scale) \(unit)" }
        }
        return "\(bytes) bytes"
    }

    /// Up to four addresses in full, more as "first … last".
    static func addressList(_ addresses: [UInt64]) -> String {
        guard addresses.count > 4, let first = addresses.first, let last = addresses.last else {
            return addresses.map(hex).joined(separator: " ")
        }
        return "\(hex(first)) … \(hex(last))"
    }

    static func plural(_ count: some BinaryInteger, _ noun: String, _ pluralNoun: String? = nil) -> String {
        "\(count) " + (count == 1 ? noun : pluralNoun ?? noun + "s")
    }

    static func padLeft(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    static func padRight(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}

extension MachineError {
    /// What a student reads when the machine refuses a request.
    var message: String {
        switch self {
        case .ramSize(let bytes, let multiple, let maximum):
            return "ram=\(Format.size(bytes)) is not allowed: RAM must be a multiple of \(Format.size(multiple)) from "
                + "\(Format.size(MachineConfiguration.minimumRAM)) to \(Format.size(maximum))"
        case .notOnArchitecture(let architecture, let what):
            return "\(architecture) has no \(what), or vmlab does not model it there"
        case .tlbGeometry(.notDivisible(let entries, let ways)):
            return "a TLB of \(entries) entries cannot be split into \(ways) ways"
        case .tlbGeometry(.setsNotPowerOfTwo(let sets)):
            return "tlb / tlb_ways gives \(sets) sets; the number of sets must be a power of two"
        case .tlbGeometry(.outOfRange):
            return "the TLB needs 1 to \(TLB.maximumEntries) entries and 1 to that many ways"
        case .outOfMemory(let total):
            return "out of physical memory: not enough free frames among \(total) (raise ram=)"
        case .populateLimit(let pages, let limit):
            return "\(pages) pages cannot be mapped at once (at most \(limit)); they can be mapped on first touch"
        case .misaligned(let address, let alignment):
            return "\(Format.hex(address)) is not aligned to a \(Format.size(alignment)) page"
        case .sizeNotPageMultiple(let size):
            return "size \(size) is not a whole number of 4 KiB pages"
        case .emptyRange:
            return "size must be at least one page (4K)"
        case .notUserAddress(let address, let userEnd):
            // xv6's user memory ends below TRAPFRAME and TRAMPOLINE, which the kernel maps in every process.
            if userEnd == RISCV.xv6Trapframe {
                return "\(Format.hex(address)) is not in user memory (0 to \(Format.hex(userEnd - 1))): "
                    + "xv6 keeps TRAPFRAME and TRAMPOLINE above it in every process's table"
            }
            return "\(Format.hex(address)) is not in the user half (0 to \(Format.hex(userEnd - 1))); "
                + "the kernel half is shared and is not mapped per process"
        case .alreadyMapped(let process, let address):
            return "\(Format.hex(address)) is already mapped in \(process); unmap it first"
        case .notMapped(let process, let address):
            return "\(Format.hex(address)) is not mapped in \(process)"
        case .crossesPageBoundary(let address, let bytes, let pageSize):
            return "\(bytes == 1 ? "a 1-byte" : "an \(bytes)-byte") access at \(Format.hex(address)) would cross a page boundary; "
                + "vmlab accesses stay inside one \(pageSize < 1024 ? "\(pageSize)-byte" : Format.size(pageSize)) page"
        case .addressTooWide(let address, let bits, let what):
            return "\(Format.hex(address)) does not fit in this machine's \(bits)-bit \(what) addresses "
                + "(below \(Format.hex(bits >= 64 ? .max : 1 << UInt64(bits))))"
        case .noSuchTLBSlot(let set, let way, let sets, let ways):
            return "no TLB slot at set \(set), way \(way): this TLB has sets 0 to \(sets - 1) and ways 0 to \(ways - 1)"
        case .fieldTooWide(let name, let value, let bits):
            return "\(name) \(Format.hex(value)) does not fit in \(bits) bits (at most \(Format.hex((1 << UInt64(bits)) - 1)))"
        case .needsKernel(let architecture, let what):
            return "\(what) needs the kernel model, and machine \(architecture) has none: its tables are typed in "
                + "(ptbr, poke, load) and a fault is only reported"
        case .noSuchCore(let index, let count):
            return "no cpu \(index): this machine has \(Format.plural(count, "core"))"
        case .noSuchLevel(let level):
            return "level must be 1 to 4 (4 = PML4 … 1 = PT), got \(level)"
        case .coreCount(let count):
            return "cores=\(count) is not allowed: 1 to \(MachineConfiguration.maximumCores) cores"
        case .unsupportedPageSize(let size, let architecture, let sizes):
            // "4K, 2M or 1G": as the page= option is written.
            let names = sizes.map { size in
                Format.size(size).replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "iB", with: "")
            }
            let machine = architecture.hasPrefix("x86_64") ? "x86-64" : architecture
            return "page=\(Format.size(size)) is not a\("aeiox".contains(machine.first ?? "b") ? "n" : "") \(machine) page size; use "
                + names.dropLast().joined(separator: ", ") + (names.count > 1 ? " or " : "") + names.last!
        case .partialLargePage(let address, let pageSize):
            return "\(Format.hex(address)) splits a \(Format.size(pageSize)) page; huge pages are mapped whole, "
                + "and unmapped whole unless transparent huge pages split them (2 MiB pages, thp=on)"
        case .exited(let name):
            return "\(name) has exited"
        case .threadNameTaken(let process, let name):
            return "\(process) already has a thread named \(name)"
        case .replacementNeedsFuture:
            return "policy=opt needs the future references, which only a replay knows; use another policy here"
        case .hugePageWithFrameLimit(let pageSize):
            return "frames= replaces 4 KiB pages only; a \(Format.size(pageSize)) page cannot be swapped out"
        case .sharedHugePage(let address):
            return "the 2 MiB page at \(Format.hex(address)) is shared copy-on-write; this model splits only unshared huge pages"
        case .physicalAddressOutOfRange(let address, let limit):
            return "physical address \(Format.hex(address)) is not inside one frame of RAM (below \(Format.hex(limit)))"
        case .hostMemoryLimit(let frames):
            return "the simulation would hold data in more than \(frames) frames "
                + "(\(Format.size(UInt64(frames) * AddressLayout.pageSize)) of host memory); vmlab stops here"

        }
    }
}

extension GeometryError {
    /// The numbers that do not add up, in words.
    var message: String {
        switch self {
        case .virtualBits(let bits): return "vbits=\(bits) must be 1 to 64"
        case .physicalBits(let bits, let maximum): return "pbits=\(bits) must be 1 to \(maximum)"
        case .pageTooSmall(let size): return "page=\(size) is below the smallest page, 16 bytes"
        case .pageNotPowerOfTwo(let size): return "page=\(size) is not a power of two"
        case .noPageNumberBits(let size, let offset, let address, let physical):
            return "page=\(size) needs a \(offset)-bit offset, which leaves no \(physical ? "PPN" : "VPN") bits in "
                + "\(address)-bit \(physical ? "physical" : "virtual") addresses"
        case .indexLevels(let count): return "index gives \(count) levels; a machine has 1 to 7"
        case .emptyLevel: return "every level needs at least 1 index bit"
        case .indexBitsSum(let bits, let offset, let virtualBits):
            let sum = bits.reduce(0, +)
            return "index bits " + bits.map(String.init).joined(separator: " + ")
                + " = \(sum) plus a \(offset)-bit page offset make \(sum + offset)-bit addresses, not vbits=\(virtualBits)"
        case .levels(let levels): return "levels=\(levels) must be 1 to 7"
        case .unevenSplit(let virtualBits, let size, let vpnBits, let levels):
            return "\(virtualBits)-bit addresses with \(size)-byte pages leave a \(vpnBits)-bit VPN, which "
                + "\(levels) levels cannot split evenly: give the bits per level, index=\"…\""
        case .entrySize(let bytes): return "entry=\(bytes) must be 1, 2, 4 or 8 bytes"
        case .wordSize(let bytes): return "word=\(bytes) must be 1, 2, 4 or 8 bytes"
        case .frameNotInEntry(let high, let low, let bytes):
            return "frame=\(high):\(low) is not a field of a \(bytes)-byte entry (bits \(bytes * 8 - 1)..0)"
        case .frameTooNarrow(let high, let low, let physicalBits, let size, let frameBits):
            return "frame=\(high):\(low) holds \(high - low + 1) bits, but \(physicalBits)-bit physical addresses with "
                + "\(size)-byte pages have \(1 << frameBits) frames, which need \(frameBits)"
        case .bitOutsideEntry(let name, let bit, let bytes):
            return "\(name)=\(bit) is outside a \(bytes)-byte entry (bits \(bytes * 8 - 1)..0)"
        case .bitOverlaps(let name, let bit, let high, let low):
            return "\(name)=\(bit) overlaps another field of the entry (frame=\(high):\(low) or a bit named before it)"
        }
    }
}
