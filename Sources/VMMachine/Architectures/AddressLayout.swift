/// The x86-64 4-level address layout and Linux's placement of the kernel half
/// (Documentation/arch/x86/x86_64/mm.rst, 4-level map, no KASLR): the
/// constants `Architecture.x86_64` is built from. The machine reads its
/// architecture value; the functions here state the fixed layout
/// independently, for the tests that check that value against it.
public enum AddressLayout {
    public static let pageShift: UInt64 = 12
    public static let pageSize: UInt64 = 1 << 12
    public static let largePageSize: UInt64 = 1 << 21
    public static let levels = 4
    /// MAXPHYADDR: physical address bits the CPU implements (46, as on
    /// Skylake-SP); entry address bits from here up to 51 are reserved.
    public static let physicalAddressBits: UInt64 = 46

    /// First address above the user half: user space is 0 ..< 0x0000_8000_0000_0000.
    public static let userEnd: UInt64 = 0x0000_8000_0000_0000
    /// Direct map of all physical memory ("page_offset_base").
    public static let directMapBase: UInt64 = 0xFFFF_8880_0000_0000
    /// Linux's cpu_entry_area: the entry trampoline that KPTI maps in user page tables too.
    public static let entryAreaBase: UInt64 = 0xFFFF_FE00_0000_0000
    /// Where the entry code sits in the kernel image (physical).
    public static let entryCodePhysical: UInt64 = 0x1000
    /// Kernel text, "mapped to physical address 0".
    public static let kernelTextBase: UInt64 = 0xFFFF_FFFF_8000_0000

    /// Bits 63:47 must all equal bit 47 (SDM vol. 1 §3.3.7.1); otherwise #GP, not #PF.
    public static func isCanonical(_ address: UInt64) -> Bool {
        let top = address >> 47
        return top == 0 || top == 0x1_FFFF
    }

    /// Table index that `address` selects at `level` (4 = PML4 … 1 = PT).
    @inline(__always)
    public static func index(of address: UInt64, level: Int) -> Int {
        Int((address >> (pageShift + 9 * UInt64(level - 1))) & 511)
    }

    /// Bytes one entry at `level` covers: 4 KiB at the PT, 2 MiB at the PD, 1 GiB at the PDPT.
    public static func span(ofLevel level: Int) -> UInt64 {
        1 << (pageShift + 9 * UInt64(level - 1))
    }
}
