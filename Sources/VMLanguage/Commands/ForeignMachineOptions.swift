/// Why an option of one architecture's kernel model has no meaning on
/// another: each refusal names what the machine has instead.
extension MachineCommands {
    /// Why an option has no meaning on MIPS.
    static func notOnMIPS(_ option: String) -> String {
        switch option {
        case "pcid": return "pcid= is x86's: mips32 tags TLB entries with EntryHi's ASID (asid=on)"
        case "kpti", "kernel":
            return "\(option)= chooses how page tables map the kernel: mips32's kernel is in kseg0, which no page table maps"
        case "pge": return "pge= is x86's CR4.PGE: a mips32 TLB entry is global when both EntryLo G bits are set"
        case "smep", "smap": return "\(option)= is x86's: mips32 keeps user code out of the kernel by segment (kuseg ends at 0x7fffffff)"
        case "tlb", "tlb_ways", "tlb_model": return "\(option)= sizes a TLB: mips32's is the R4000's, 48 fully associative entries of page pairs"
        default:
            return "frames= needs accessed bits to choose what to evict: mips32's entries have none in hardware (Linux emulates them with TLB Invalid faults, which vmlab does not model)"
        }
    }

    /// Why an x86 option has no meaning on ARM.
    static func notOnARM(_ option: String) -> String {
        switch option {
        case "pcid": return "pcid= is x86's: aarch64 tags TLB entries with ASIDs in TTBR0_EL1 (asid=on)"
        case "kpti": return "kpti= is x86's: aarch64's kernel table is TTBR1's and is never switched (kernel=split)"
        case "pge": return "pge= is x86's CR4.PGE: on aarch64 an entry is global unless its nG bit is set"
        case "smep", "smap":
            return "\(option)= is x86's: aarch64 sets PXN on every user page and runs with PAN on (uaccess { … } clears it)"
        case "shootdown":
            return "shootdown= chooses x86's IPIs: aarch64 invalidates other cores' TLBs by broadcast (tlbi … is), with no IPIs to leave out"
        default: return "tlb_model= describes a 64-bit Intel core's TLBs; aarch64 has the unified one"
        }
    }

    /// Why an x86 option has no meaning on RISC-V.
    static func notOnRISCV(_ option: String) -> String {
        switch option {
        case "pcid": return "pcid= is x86's: riscv64 tags TLB entries with satp's ASIDs (asid=on)"
        case "kpti": return "kpti= is x86's: Linux isolates no page tables on riscv64 (kernel=separate is xv6's design)"
        case "pge": return "pge= is x86's CR4.PGE: riscv64 always honours a PTE's G bit"
        case "smep", "smap":
            return "\(option)= is x86's: riscv64's S-mode never executes U pages and touches them only with sstatus.SUM set"
        default: return "tlb_model= describes a 64-bit Intel core's TLBs; riscv64 has the unified one"
        }
    }
}
