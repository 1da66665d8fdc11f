/// How an MMU reads page tables, as a value: the one walker (PageWalk.swift)
/// reads it, so an architecture is a description, not another copy of the
/// walker. x86-64 (with Linux's kernel model on top) and textbook machines of
/// any geometry (Geometry.swift: CS:APP's and OSTEP's presets, or custom)
/// are described so far; issue 10 adds other real architectures.
public struct Architecture: Sendable, Equatable {
    public let name: String
    /// Table levels; level 1 holds the leaf entries of the smallest page.
    public let levels: Int
    public let pageShift: UInt64
    /// Bytes of one table entry.
    public let entryBytes: UInt64
    /// Where each bit of an entry lives.
    public let format: EntryFormat
    /// Levels whose entries may map a page themselves (x86's PS bit: the PD
    /// for 2 MiB, the PDPT for 1 GiB), as a bit set: bit L for level L.
    public let largePageLevels: UInt8
    /// Virtual and physical address widths.
    public let virtualBits: Int
    public let physicalBits: Int
    /// Bytes one read or write moves: 8 on x86-64, 1 on the textbook
    /// machines, whose memory is read in bytes.
    public let accessBytes: UInt64
    /// The page-table base register: its name, and whether it holds the root
    /// table's frame number (OSTEP's PDBR) or its address (x86's CR3).
    public let baseRegister: String
    public let baseRegisterHoldsFrameNumber: Bool
    /// Whether the machine runs the kernel model (processes, the kernel half,
    /// fault handling). Textbook machines have none: their tables are typed
    /// in, the base register is set directly, and a fault is only reported.
    public let hasKernel: Bool
    /// What a table at each level is called, from level 1 (the leaf table) up.
    public let levelNames: [String]
    /// Where the kernel model puts things (Linux's layout for this paging
    /// mode, mm.rst): user space ends here, and all RAM is mapped from here.
    public let userEnd: UInt64
    public let directMapBase: UInt64
    /// Where the kernel image is mapped (its entry code runs there).
    public let kernelTextBase: UInt64
    /// x86-64's addresses are sign-extended from the top virtual bit (the
    /// canonical rule, #GP otherwise); elsewhere no bits above the width exist.
    public let signExtended: Bool
    /// CR4.PCIDE and page-table isolation, where the hardware and vmlab's
    /// kernel model have them.
    public let supportsPCID: Bool
    public let supportsKPTI: Bool
    /// Linux's cpu_entry_area, where the entry trampoline is mapped (x86-64 only here).
    public let entryAreaBase: UInt64?
    /// The most RAM the kernel model maps: i386's low memory (highmem is not modeled).
    public let maximumRAM: UInt64
    /// PAE: a CR3 load copies the root table's entries (the four PDPTEs)
    /// into registers, and walks start there, not in memory; the kernel
    /// reloads CR3 after changing one (Intel's application note 317080, §8.1).
    public let rootInRegisters: Bool
    /// The bits a root-table entry that points at a table may have (PAE's
    /// PDPTEs: P only; RW, US, A and D are reserved there).
    public let rootTableFlagMask: UInt64
    /// Where the base register keeps the root's frame number (satp's PPN,
    /// 43:0) and its mode bits (satp's MODE, 63:60); where it holds an
    /// address, the bits of it that are the address (MIPS: pgd_current's
    /// page, beside the ASID vmlab keeps with it).
    public let baseRegisterFrameMask: UInt64
    public let baseRegisterMode: UInt64
    /// The address-space tag in the base register: x86's PCID in CR3 bits
    /// 11:0, RISC-V's ASID in satp bits 59:44. `tagName` is what the manual calls it.
    public let tagShift: UInt64
    public let tagMask: UInt64
    public let tagName: String
    /// Whether the full fence xv6 makes around every satp write (sfence.vma
    /// zero, zero) drops global entries too, as RISC-V's does. Linux's
    /// switch without ASIDs fences ASID 0 alone and keeps them, as x86's CR3
    /// write and ARM's TLBI ASIDE1 do.
    public let fullFenceDropsGlobals: Bool
    /// ARM: a second base register (TTBR1) translates the upper half, chosen by address bit 63.
    public let splitBaseRegisters: Bool
    /// For level L, in byte L: how far right an address shifts to bring that
    /// level's index to bit 0, and how many bits the index has. Packed into
    /// one word each, so that the walker finds them with a shift and a mask.
    private let shifts: UInt64
    private let indexBits: UInt64
    /// isCanonical's two numbers, worked out once: the bits above
    /// `canonicalShift` must be all zero or equal `canonicalTop` (x86-64's
    /// sign extension: 0x1ffff with 48-bit addresses; 64-bit widths: any).
    private let canonicalShift: UInt64
    private let canonicalTop: UInt64
    /// Two of the family's answers that every access asks, kept here so that
    /// asking costs a load rather than a call.
    let softwareRefill: Bool
    let ignoresTopByte: Bool

    @inline(__always)
    private static func byte(_ packed: UInt64, _ level: Int) -> UInt64 {
        (packed &>> (UInt64(truncatingIfNeeded: level) &<< 3)) & 0xFF
    }

    /// `indexBitsPerLevel` from level 1 (the leaf table) up to the root.
    public init(
        name: String, pageShift: UInt64, indexBitsPerLevel: [Int], entryBytes: UInt64, format: EntryFormat,
        largePageLevels: [Int] = [], virtualBits: Int? = nil, physicalBits: Int = 46, accessBytes: UInt64 = 8,
        baseRegister: String = "CR3", baseRegisterHoldsFrameNumber: Bool = false, hasKernel: Bool = false,
        levelNames: [String]? = nil, userEnd: UInt64 = 0, directMapBase: UInt64 = 0, kernelTextBase: UInt64 = 0,
        signExtended: Bool = false, supportsPCID: Bool = false, supportsKPTI: Bool = false,
        entryAreaBase: UInt64? = nil, maximumRAM: UInt64 = 1 << 40, rootInRegisters: Bool = false,
        rootTableFlagMask: UInt64 = ~0, baseRegisterFrameMask: UInt64 = ~0,
        baseRegisterMode: UInt64 = 0, tagShift: UInt64 = 0, tagMask: UInt64 = 0xFFF, tagName: String = "PCID",
        fullFenceDropsGlobals: Bool = false, canonicalBits: Int? = nil, splitBaseRegisters: Bool = false
    ) {
        self.fullFenceDropsGlobals = fullFenceDropsGlobals
        self.splitBaseRegisters = splitBaseRegisters
        self.baseRegisterFrameMask = baseRegisterFrameMask
        self.baseRegisterMode = baseRegisterMode
        self.tagShift = tagShift
        self.tagMask = tagMask
        self.tagName = tagName
        self.rootInRegisters = rootInRegisters
        self.rootTableFlagMask = rootTableFlagMask
        self.entryAreaBase = entryAreaBase
        self.maximumRAM = maximumRAM
        self.userEnd = userEnd
        self.directMapBase = directMapBase
        self.kernelTextBase = kernelTextBase
        self.signExtended = signExtended
        self.supportsPCID = supportsPCID
        self.supportsKPTI = supportsKPTI
        softwareRefill = format.encoding.family.refillsTLBInSoftware
        ignoresTopByte = format.encoding.family.ignoresTopByte
        precondition((1...7).contains(indexBitsPerLevel.count), "1 to 7 levels")
        self.name = name
        self.pageShift = pageShift
        self.entryBytes = entryBytes
        self.format = format
        levels = indexBitsPerLevel.count
        self.largePageLevels = largePageLevels.reduce(0) { $0 | UInt8(1 << $1) }
        self.virtualBits = virtualBits ?? Int(pageShift) + indexBitsPerLevel.reduce(0, +)
        self.physicalBits = physicalBits
        self.accessBytes = accessBytes
        self.baseRegister = baseRegister
        self.baseRegisterHoldsFrameNumber = baseRegisterHoldsFrameNumber
        self.hasKernel = hasKernel
        self.levelNames = levelNames ?? Self.defaultLevelNames(indexBitsPerLevel.count)
        var shifts: UInt64 = 0
        var bits: UInt64 = 0
        var shift = pageShift
        for (offset, count) in indexBitsPerLevel.enumerated() {
            shifts |= shift << (8 * UInt64(offset + 1))
            bits |= UInt64(count) << (8 * UInt64(offset + 1))
            shift += UInt64(count)
        }
        self.shifts = shifts
        indexBits = bits
        // ARM: bits 63:48 all equal (one bit more than the 48 its tables index).
        let width = canonicalBits ?? self.virtualBits
        if width >= 64 {
            canonicalShift = 63
            canonicalTop = 1
        } else if signExtended {
            canonicalShift = UInt64(width - 1)
            canonicalTop = (1 << UInt64(65 - width)) - 1
        } else {
            canonicalShift = UInt64(width)
            canonicalTop = 0
        }
    }

    /// PT for a one-level table, PD and PT for two, then L3, L4, ….
    static func defaultLevelNames(_ levels: Int) -> [String] {
        (1...levels).map { $0 == 1 ? "PT" : $0 == 2 ? "PD" : "L\($0)" }
    }

    /// The table index `address` selects at `level`.
    @inline(__always)
    public func index(of address: UInt64, level: Int) -> Int {
        Int(truncatingIfNeeded: (address &>> Self.byte(shifts, level)) & ((1 &<< Self.byte(indexBits, level)) &- 1))
    }

    /// The address bits below `level`'s index: an entry at that level maps 1 << this many bytes.
    @inline(__always)
    public func shift(ofLevel level: Int) -> UInt64 { Self.byte(shifts, level) }

    /// Bytes one entry at `level` covers (x86-64: 4 KiB at the PT … 512 GiB at the PML4).
    public func span(ofLevel level: Int) -> UInt64 { 1 << shift(ofLevel: level) }

    /// Whether `address` is in the user half.
    public func isUser(_ address: UInt64) -> Bool { address < userEnd }

    /// Entries in a table of the kernel model's (a leaf table's count: 512 on
    /// x86-64, 1,024 on i386); every table fills one frame.
    public var entriesPerTable: UInt64 { 1 << UInt64(indexBits(ofLevel: 1)) }

    /// xv6's design (a kernel table switched to on every trap, the process's
    /// table holding only the trampoline) where vmlab models it: on KPTI's
    /// two tables on x86-64, and on Sv39, as xv6 runs. (Under Sv48 the
    /// trampoline's top-level entry would also map the kernel image.)
    public var supportsSeparateKernelTable: Bool { supportsKPTI || self == .riscv64Sv39 }

    /// The first root-table index of the kernel half: the one `userEnd` falls in.
    /// With ARM's two base registers the user table has no kernel half: none.
    public var firstKernelIndex: Int { splitBaseRegisters ? Int(entriesPerTable) : index(of: userEnd, level: levels) }

    /// How many bits `level`'s index has.
    public func indexBits(ofLevel level: Int) -> Int { Int(Self.byte(indexBits, level)) }

    public var pageSize: UInt64 { 1 << pageShift }

    /// "PML4", "PT", …
    public func levelName(_ level: Int) -> String {
        levelNames.indices.contains(level - 1) ? levelNames[level - 1] : "L\(level)"
    }

    /// Whether an entry at `level` with these bits maps a page itself. (A
    /// RISC-V entry at level 1 with none of R, W, X is no leaf but a fault:
    /// the walker checks that shape itself.)
    @inline(__always)
    public func isLeaf(_ raw: UInt64, level: Int) -> Bool {
        level == 1 || (largePageLevels &>> UInt8(truncatingIfNeeded: level)) & 1 != 0 && raw & format.largePage != 0
    }

    /// Whether an entry at `level`, as memory holds it, leads somewhere (a
    /// MIPS PGD entry is a kseg0 pointer, not a PTE with a V bit).
    public func isValid(_ raw: UInt64, level: Int) -> Bool {
        family.isValid(raw, level: level, self)
    }

    /// The physical address an entry at `level` points at: the next table, or the page.
    public func target(of raw: UInt64, level: Int) -> UInt64 {
        family.target(of: raw, level: level, self)
    }

    /// How memory lays out its entries: x86's, RISC-V's, ARM's or MIPS's.
    public var encoding: EntryEncoding { format.encoding }
    /// Everything this architecture does its own way (ArchitectureFamily.swift).
    var family: any ArchitectureFamily.Type { format.encoding.family }

    /// Entry bits that must be zero (a set one is a reserved-bit fault).
    @inline(__always)
    public func reservedBits(level: Int, largePage: Bool) -> UInt64 {
        switch format.reservedBits {
        case .none: return 0
        case .x86_64: return PageTableEntry.reservedBits(level: level, largePage: largePage)
        // A 4 MiB page's bits 21:13 (without PSE-36, which vmlab does not model).
        case .i386: return largePage && level == 2 ? 0x003F_E000 : 0
        // Address bits 62:36 (MAXPHYADDR 36); in a PDPTE also NX, RW, US and bits 8:5.
        case .pae:
            var bits: UInt64 = 0x7FFF_FFF0_0000_0000
            if level == 3 { bits |= PageTableEntry.noExecute | 0x1E6 }
            if largePage && level == 2 { bits |= 0x001F_E000 }
            return bits
        case .riscv: return RISCV.reservedBits(level: level, largePage: largePage)
        }
    }

    /// Whether `address` is one the CPU can issue: x86-64's canonical rule
    /// (bits 63 down to the top virtual bit all equal, else #GP: 63:47 with 4
    /// levels, 63:56 with 5), elsewhere no bits above the virtual width.
    @inline(__always)
    /// `address` made canonical: its top bits filled from the highest one the
    /// tables index, where the architecture sign-extends (x86-64, RISC-V: an
    /// index of 256 or more in the root is the upper half); ARM's TTBR0 and
    /// the 32-bit machines take addresses as they are.
    public func canonical(_ address: UInt64) -> UInt64 {
        guard canonicalTop > 1, (address >> canonicalShift) & 1 != 0 else { return address }
        return address | canonicalTop << canonicalShift
    }

    public func isCanonical(_ address: UInt64) -> Bool {
        let top = address &>> canonicalShift
        return top == 0 || top == canonicalTop
    }

    /// The page sizes leaves can map, smallest first (x86-64: 4 KiB, 2 MiB, 1 GiB).
    public var pageSizes: [UInt64] { (1...levels).filter { leafLevel(forPageSize: span(ofLevel: $0)) != nil }.map(span) }

    /// The table level whose leaves map pages of `size` bytes, if any.
    public func leafLevel(forPageSize size: UInt64) -> Int? {
        (1...levels).first { span(ofLevel: $0) == size && ($0 == 1 || (largePageLevels >> UInt8($0)) & 1 != 0) }
    }

    /// The root table's physical address for a base-register value.
    @inline(__always)
    public func rootAddress(fromRegister value: UInt64) -> UInt64 {
        baseRegisterHoldsFrameNumber
            ? (value & baseRegisterFrameMask) &<< pageShift : value & format.frameMask & baseRegisterFrameMask
    }

    /// The base-register value that loads `root` under address-space tag
    /// `tag`: CR3 = root | PCID; satp = MODE | ASID << 44 | root's PPN.
    public func baseRegisterValue(root: UInt64, tag: UInt64) -> UInt64 {
        baseRegisterHoldsFrameNumber
            ? baseRegisterMode | (tag & tagMask) << tagShift | root >> pageShift : root | (tag & tagMask) << tagShift
    }

    /// The address-space tag (PCID, ASID) in a base-register value.
    public func tag(fromRegister value: UInt64) -> UInt16 { UInt16(truncatingIfNeeded: (value >> tagShift) & tagMask) }

    /// x86-64 with 4-level paging (SDM vol. 3A §4.5): 4 KiB pages, 9 index
    /// bits per level, 8-byte entries, 2 MiB and 1 GiB pages.
    public static let x86_64 = Architecture(
        name: "x86_64", pageShift: AddressLayout.pageShift, indexBitsPerLevel: [9, 9, 9, 9], entryBytes: 8,
        format: EntryFormat(
            valid: PageTableEntry.present, writable: PageTableEntry.writable, user: PageTableEntry.user,
            accessed: PageTableEntry.accessed, dirty: PageTableEntry.dirty, largePage: PageTableEntry.pageSize,
            global: PageTableEntry.global, noExecute: PageTableEntry.noExecute,
            frameMask: PageTableEntry.addressMask, reservedBits: .x86_64),
        largePageLevels: [2, 3], virtualBits: 48, physicalBits: Int(AddressLayout.physicalAddressBits),
        hasKernel: true, levelNames: ["PT", "PD", "PDPT", "PML4"], userEnd: AddressLayout.userEnd,
        directMapBase: AddressLayout.directMapBase, kernelTextBase: AddressLayout.kernelTextBase, signExtended: true,
        supportsPCID: true, supportsKPTI: true, entryAreaBase: AddressLayout.entryAreaBase)

    /// x86-64 with 5-level paging (LA57, SDM vol. 3A §4.5; Linux's
    /// mm.rst 5-level map): a PML5 above the PML4, 57-bit addresses, user
    /// space below 0x0100000000000000 and the direct map at
    /// 0xff11000000000000. The kernel text, the cpu_entry_area and the entry
    /// format stay as with 4 levels.
    public static let x86_64_la57 = Architecture(
        name: "x86_64 levels=5", pageShift: AddressLayout.pageShift, indexBitsPerLevel: [9, 9, 9, 9, 9], entryBytes: 8,
        format: x86_64.format, largePageLevels: [2, 3], virtualBits: 57, physicalBits: Int(AddressLayout.physicalAddressBits),
        hasKernel: true, levelNames: ["PT", "PD", "PDPT", "PML4", "PML5"], userEnd: 0x0100_0000_0000_0000,
        directMapBase: 0xFF11_0000_0000_0000, kernelTextBase: AddressLayout.kernelTextBase, signExtended: true,
        supportsPCID: true, entryAreaBase: AddressLayout.entryAreaBase)

    /// 32-bit x86 without PAE (SDM vol. 3A §4.3): two levels of 10 index bits,
    /// 4-byte entries with the low flag bits of x86-64's (P RW US PWT PCD A D
    /// PS G) and the frame in bits 31:12, 4 MiB pages in the PD (CR4.PSE), no
    /// NX bit and no PCIDs. Linux's 3G/1G split: user space below
    /// 0xc0000000, all low memory (at most 896 MiB) mapped from there, the
    /// kernel image at its start. Reads and writes move 4 bytes.
    public static let i386 = Architecture(
        name: "i386", pageShift: 12, indexBitsPerLevel: [10, 10], entryBytes: 4,
        format: EntryFormat(
            valid: PageTableEntry.present, writable: PageTableEntry.writable, user: PageTableEntry.user,
            accessed: PageTableEntry.accessed, dirty: PageTableEntry.dirty, largePage: PageTableEntry.pageSize,
            global: PageTableEntry.global, frameMask: 0xFFFF_F000, reservedBits: .i386),
        largePageLevels: [2], virtualBits: 32, physicalBits: 32, accessBytes: 4, hasKernel: true,
        levelNames: ["PT", "PD"], userEnd: 0xC000_0000, directMapBase: 0xC000_0000, kernelTextBase: 0xC000_0000,
        maximumRAM: 896 << 20)

    /// 32-bit x86 with PAE (SDM vol. 3A §4.4): three levels (a PDPT of four
    /// entries, then a PD and a PT of 512), 8-byte entries in x86-64's format
    /// with NX (EFER.NXE), 2 MiB pages, 36-bit physical addresses. CR3 points
    /// at the PDPT, and loading it copies the four PDPTEs into registers that
    /// walks start from. The same 3G/1G split: the kernel is PDPTE 3.
    public static let i386PAE = Architecture(
        name: "i386 pae=on", pageShift: 12, indexBitsPerLevel: [9, 9, 2], entryBytes: 8,
        format: EntryFormat(
            valid: PageTableEntry.present, writable: PageTableEntry.writable, user: PageTableEntry.user,
            accessed: PageTableEntry.accessed, dirty: PageTableEntry.dirty, largePage: PageTableEntry.pageSize,
            global: PageTableEntry.global, noExecute: PageTableEntry.noExecute, frameMask: 0x0000_000F_FFFF_F000,
            reservedBits: .pae),
        largePageLevels: [2], virtualBits: 32, physicalBits: 36, accessBytes: 4, hasKernel: true,
        levelNames: ["PT", "PD", "PDPT"], userEnd: 0xC000_0000, directMapBase: 0xC000_0000, kernelTextBase: 0xC000_0000,
        maximumRAM: 896 << 20, rootInRegisters: true, rootTableFlagMask: PageTableEntry.present)
}

/// Where the bits of a page-table entry live. A mask of 0 means the format
/// has no such bit: every page is then writable, user-accessible or
/// executable as far as the entry is concerned, and nothing is recorded.
public struct EntryFormat: Sendable, Equatable {
    public let valid: UInt64
    public let writable: UInt64
    public let user: UInt64
    public let accessed: UInt64
    public let dirty: UInt64
    public let largePage: UInt64
    public let global: UInt64
    public let noExecute: UInt64
    /// Whose walk rules read the entries: x86's masks ANDed (NX ORed) over
    /// every level, or RISC-V's and ARM's own (RISCV.step, ARM.step), where
    /// a leaf's rights are its own and accessed bits are set in the leaf only.
    public let encoding: EntryEncoding
    /// ARM's dirty state: a write clears AP[2] (read-only) where DBM is set,
    /// rather than setting a D bit.
    public let dirtyClears: UInt64
    /// ARM's nG: an entry is global unless it is set.
    public let notGlobal: UInt64
    public let rightsInLeafOnly: Bool
    /// The entry's bits that hold the next table's (or the page's) frame (x86:
    /// bits 51:12, the address itself; OSTEP's machine: bits 6:0, a frame
    /// number), and the two shifts that make them an address: right to bring
    /// the field's low bit to bit 0, then left by the page shift (x86: 0 and
    /// 0; OSTEP's 32-byte pages: 0 and 5).
    public let frameMask: UInt64
    public let frameRightShift: UInt64
    public let frameLeftShift: UInt64
    /// Which bits the architecture reserves (a set one faults).
    public let reservedBits: ReservedBits

    public enum ReservedBits: Sendable, Equatable {
        case none
        /// Address bits from MAXPHYADDR up, PS in a PML4 entry, a large page's low address bits.
        case x86_64
        /// A 4 MiB page's low address bits.
        case i386
        /// Address bits above 36; a PDPTE's reserved flag bits; a 2 MiB page's low address bits.
        case pae
        /// Bits 63:54 (no Svpbmt or Svnapot); a superpage's low PPN bits (a misaligned superpage).
        case riscv
    }

    public init(
        valid: UInt64, writable: UInt64 = 0, user: UInt64 = 0, accessed: UInt64 = 0, dirty: UInt64 = 0,
        largePage: UInt64 = 0, global: UInt64 = 0, noExecute: UInt64 = 0, frameMask: UInt64,
        frameRightShift: UInt64 = 0, frameLeftShift: UInt64 = 0, reservedBits: ReservedBits = .none,
        family encoding: EntryEncoding = .x86, dirtyClears: UInt64 = 0, notGlobal: UInt64 = 0
    ) {
        self.notGlobal = notGlobal
        self.encoding = encoding
        rightsInLeafOnly = encoding.family.rightsInLeafOnly
        self.dirtyClears = dirtyClears
        self.valid = valid
        self.writable = writable
        self.user = user
        self.accessed = accessed
        self.dirty = dirty
        self.largePage = largePage
        self.global = global
        self.noExecute = noExecute
        self.frameMask = frameMask
        self.frameRightShift = frameRightShift
        self.frameLeftShift = frameLeftShift
        self.reservedBits = reservedBits
    }

    @inline(__always) public func isValid(_ raw: UInt64) -> Bool { raw & valid != 0 }
    @inline(__always) public func isWritable(_ raw: UInt64) -> Bool { writable == 0 || raw & writable != 0 }
    @inline(__always) public func isUser(_ raw: UInt64) -> Bool { user == 0 || raw & user != 0 }
    @inline(__always) public func isNoExecute(_ raw: UInt64) -> Bool { noExecute != 0 && raw & noExecute != 0 }
    @inline(__always) public func isDirty(_ raw: UInt64) -> Bool {
        raw & dirty != 0 || (dirtyClears != 0 && raw & writable != 0 && raw & dirtyClears == 0)
    }
    /// Whether the format records writes at all (the textbook presets do not).
    @inline(__always) public var tracksDirty: Bool { dirty != 0 || dirtyClears != 0 }
    /// The entry after an access the MMU completed: accessed, and dirty for a write.
    @inline(__always) public func afterAccess(_ raw: UInt64, write: Bool) -> UInt64 {
        var updated = raw | accessed
        if write { updated = (updated | dirty) & ~(raw & writable != 0 ? dirtyClears : 0) }
        return updated
    }
    @inline(__always) public func isGlobal(_ raw: UInt64) -> Bool {
        raw & global != 0 || (notGlobal != 0 && raw & notGlobal == 0)
    }
    @inline(__always) public func physicalAddress(_ raw: UInt64) -> UInt64 {
        ((raw & frameMask) &>> frameRightShift) &<< frameLeftShift
    }
    /// The frame field as a number (a textbook entry's PPN).
    public func frameField(_ raw: UInt64) -> UInt64 { (raw & frameMask) >> UInt64(frameMask.trailingZeroBitCount) }

    /// The named bits this format has, in the order explain prints them.
    public var namedBits: [(name: String, mask: UInt64)] {
        [("valid", valid), ("writable", writable), ("user", user), ("accessed", accessed), ("dirty", dirty),
         ("large", largePage), ("global", global), ("nx", noExecute)].filter { $0.1 != 0 }
    }
}
