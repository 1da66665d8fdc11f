/// A page-table entry as the kernel model sees it: what it means, not where
/// its bits are. Linux's `pte_write`, `pte_mkdirty` and `pfn_pte` hide the
/// bits the same way; each architecture's codec (EntryCodec.swift) turns
/// this into the word memory holds and back. The kernel never reads or
/// composes a raw entry, so RISC-V's R/W/X leaves, ARM's AP bits and
/// MIPS's software bits are each one file's business.
public struct PageEntry: Equatable, Sendable {
    /// The entry leads somewhere: a table below, or a page.
    public var present = false
    /// For a leaf: the page's rights. For a table: whether it lets the
    /// entries below grant them (x86's R/W, U/S and NX count at every level;
    /// RISC-V's and MIPS's tables carry none, and read as allowing all).
    public var writable = false
    public var user = false
    public var executable = true
    public var accessed = false
    public var dirty = false
    public var global = false
    /// The entry maps a page itself (a 4 KiB page in the last table, or a
    /// huge page higher up) rather than pointing at the next table.
    public var leaf = false
    /// The physical address the entry points at: the next table, or the page's first byte.
    public var address: UInt64 = 0
    /// A not-present entry that remembers where its page went in swap.
    public var swapSlot: UInt64?
    /// The entry's bits this view does not name (x86's PWT and PCD, its
    /// software bits, a not-present entry's contents), kept so that a change
    /// the kernel makes leaves them as they were.
    var preserved: UInt64 = 0

    public init() {}

    /// A not-present entry: what an unmapped page's slot holds.
    public static let empty = PageEntry()

    /// A table pointer as Linux writes one (`_PAGE_TABLE`, `_KERNPG_TABLE`):
    /// present, writable, accessed and dirty, user-accessible for a user table.
    public static func table(at address: UInt64, user: Bool) -> PageEntry {
        var entry = PageEntry()
        entry.present = true
        entry.writable = true
        entry.user = user
        entry.accessed = true
        entry.dirty = true
        entry.address = address
        return entry
    }

    /// A leaf mapping the page at `address`.
    public static func leaf(
        at address: UInt64, writable: Bool, user: Bool, executable: Bool, accessed: Bool = false,
        dirty: Bool = false, global: Bool = false
    ) -> PageEntry {
        var entry = PageEntry()
        entry.present = true
        entry.leaf = true
        entry.writable = writable
        entry.user = user
        entry.executable = executable
        entry.accessed = accessed
        entry.dirty = dirty
        entry.global = global
        entry.address = address
        return entry
    }

    /// A user page's leaf with `protection` (writable only if `writable`:
    /// copy-on-write pages stay read-only in a writable region).
    public static func userLeaf(at address: UInt64, _ protection: Protection, writable: Bool) -> PageEntry {
        leaf(at: address, writable: writable, user: true, executable: protection.execute)
    }

    /// The entry of a page that went to swap slot `slot`.
    public static func swapped(slot: UInt64) -> PageEntry {
        var entry = PageEntry()
        entry.swapSlot = slot
        return entry
    }

    /// Whether two entries differ only in where they point (a run of pages a picture may draw as one).
    public func sameRights(as other: PageEntry) -> Bool {
        var moved = other
        moved.address = address
        return moved == self
    }

    /// Whether the entry allows `kind` of access (a leaf's own rights).
    public func allows(_ kind: AccessKind) -> Bool {
        switch kind {
        case .read: return present
        case .write: return present && writable
        case .execute: return present && executable
        }
    }
}
