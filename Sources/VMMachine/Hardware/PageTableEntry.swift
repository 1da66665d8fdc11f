/// An x86-64 paging-structure entry, exactly as the hardware reads it from memory.
///
/// Bit positions follow the Intel SDM vol. 3A tables 4-14..4-20 and Linux's
/// arch/x86/include/asm/pgtable_types.h. The same layout serves all four levels;
/// `pageSize` (PS) only means "leaf" in a PDPT entry (1 GiB) or a PD entry (2 MiB).
public struct PageTableEntry: Equatable, Sendable {
    public var raw: UInt64

    public init(raw: UInt64) { self.raw = raw }

    public static let present: UInt64 = 1 << 0
    public static let writable: UInt64 = 1 << 1
    public static let user: UInt64 = 1 << 2
    public static let writeThrough: UInt64 = 1 << 3
    public static let cacheDisable: UInt64 = 1 << 4
    public static let accessed: UInt64 = 1 << 5
    public static let dirty: UInt64 = 1 << 6
    public static let pageSize: UInt64 = 1 << 7
    public static let global: UInt64 = 1 << 8
    public static let noExecute: UInt64 = 1 << 63
    /// Physical address bits 51:12 (MAXPHYADDR = 52).
    public static let addressMask: UInt64 = 0x000F_FFFF_FFFF_F000

    /// The bits that must be zero in an entry at `level` (SDM tables 4-14 to
    /// 4-19, with M = MAXPHYADDR): address bits M…51 everywhere, PS in a PML4
    /// entry, and the low address bits a large page's alignment leaves unused.
    public static func reservedBits(level: Int, largePage: Bool) -> UInt64 {
        var bits = addressMask & ~((1 << AddressLayout.physicalAddressBits) - 1)
        if level >= 4 { bits |= pageSize }  // no 512 GiB (or 256 TiB) pages: PS is reserved in a PML4 and PML5 entry
        if largePage && level == 2 { bits |= 0x001F_E000 }  // bits 20:13
        if largePage && level == 3 { bits |= 0x3FFF_E000 }  // bits 29:13
        return bits
    }

    /// Builds an entry pointing at `physicalAddress` (4 KiB aligned) with `flags`.
    public init(physicalAddress: UInt64, flags: UInt64) {
        raw = (physicalAddress & Self.addressMask) | flags
    }

    public var isPresent: Bool { raw & Self.present != 0 }
    public var isWritable: Bool { raw & Self.writable != 0 }
    public var isUser: Bool { raw & Self.user != 0 }
    public var isAccessed: Bool { raw & Self.accessed != 0 }
    public var isDirty: Bool { raw & Self.dirty != 0 }
    public var isLargePage: Bool { raw & Self.pageSize != 0 }
    public var isGlobal: Bool { raw & Self.global != 0 }
    public var isNoExecute: Bool { raw & Self.noExecute != 0 }
    public var physicalAddress: UInt64 { raw & Self.addressMask }

    /// Short flag names in a fixed order, for `show pagetable` and walk traces.
    public var flagNames: [String] {
        var names: [String] = []
        if isPresent { names.append("P") }
        if isWritable { names.append("RW") }
        if isUser { names.append("US") }
        if raw & Self.writeThrough != 0 { names.append("PWT") }
        if raw & Self.cacheDisable != 0 { names.append("PCD") }
        if isAccessed { names.append("A") }
        if isDirty { names.append("D") }
        if isLargePage { names.append("PS") }
        if isGlobal { names.append("G") }
        if isNoExecute { names.append("NX") }
        return names
    }
}

/// What a mapping lets user code do. The kernel turns it into R/W and NX bits.
public struct Protection: Equatable, Sendable {
    public var write: Bool
    public var execute: Bool

    public init(write: Bool, execute: Bool) {
        self.write = write
        self.execute = execute
    }

    public static let readOnly = Protection(write: false, execute: false)
    public static let readWrite = Protection(write: true, execute: false)
    public static let readExecute = Protection(write: false, execute: true)
    public static let readWriteExecute = Protection(write: true, execute: true)

    /// The spellings the scripting language accepts, in the order help lists them.
    public static let spellings: [(name: String, protection: Protection)] = [
        ("r", .readOnly), ("rw", .readWrite), ("rx", .readExecute), ("rwx", .readWriteExecute),
    ]

    public init?(spelling: String) {
        guard let match = Self.spellings.first(where: { $0.name == spelling }) else { return nil }
        self = match.protection
    }

    public var spelling: String {
        "r" + (write ? "w" : "") + (execute ? "x" : "")
    }

    /// Leaf-entry flag bits for a user page with this protection.
    var userLeafFlags: UInt64 {
        var flags = PageTableEntry.present | PageTableEntry.user
        if write { flags |= PageTableEntry.writable }
        if !execute { flags |= PageTableEntry.noExecute }
        return flags
    }
}
