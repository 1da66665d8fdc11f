/// What sets one architecture apart, as properties the kernel model, the
/// MMU and the renderers ask instead of testing which architecture it is.
/// Each is its family's answer (ArchitectureFamily.swift); what each means is
/// said here, and each architecture's file says why it answers as it does.
extension Architecture {
    /// MIPS: no hardware walker; a TLB miss is an exception the kernel's
    /// refill handler answers (SoftwareManagedTLB.swift), and the TLB holds
    /// page pairs.
    public var refillsTLBInSoftware: Bool { softwareRefill }

    /// MIPS: the kernel runs in kseg0, which no table maps, so no page
    /// table has a kernel half.
    public var kernelIsUnmapped: Bool { family.kernelIsUnmapped }

    /// x86: a non-canonical address is #GP before any translation; RISC-V
    /// and ARM report it as a page fault or a translation fault.
    public var nonCanonicalIsGeneralProtection: Bool { family.nonCanonicalIsGeneralProtection }

    /// x86: bit 63 of a CR3 write asks the CPU to keep the new PCID's TLB
    /// entries (CR3.NOFLUSH); elsewhere a tagged switch just writes the tag.
    public var baseRegisterHasNoFlushBit: Bool { family.baseRegisterHasNoFlushBit }

    /// ARM: TLBI … IS broadcasts an invalidation to every core in the Inner
    /// Shareable domain, so a shootdown sends no IPIs.
    public var broadcastsTLBInvalidation: Bool { family.broadcastsTLBInvalidation }

    /// arm64's Top Byte Ignore for the lower half (TCR_EL1.TBI0 = 1, as Linux
    /// sets it; TBI1 stays 0): an address whose bit 55 is clear translates with
    /// its top byte dropped, so a tagged user pointer reaches the same page
    /// (Documentation/arch/arm64/tagged-pointers.rst). Elsewhere, and in the
    /// upper half, the address is as given.
    @inline(__always)
    public func untagged(_ address: UInt64) -> UInt64 {
        guard ignoresTopByte, address & (1 << 55) == 0 else { return address }
        return address & 0x00FF_FFFF_FFFF_FFFF
    }

    /// Whether the separate-kernel design (kernel=separate) lays a process out
    /// as xv6 does: RISC-V, xv6's own architecture (TRAMPOLINE and TRAPFRAME
    /// at the top of the user half, in the process's own tables). On x86 the
    /// design keeps vmlab's layout.
    public var hasXv6Layout: Bool { family.hasXv6Layout }

    /// How many pages a shootdown invalidates one by one before it flushes
    /// the whole address space instead, as Linux chooses: x86's
    /// tlb_single_page_flush_ceiling (33), RISC-V's tlb_flush_all_threshold
    /// (64, arch/riscv/mm/tlbflush.c), arm64's MAX_DVM_OPS (PTRS_PER_PTE,
    /// 512 pages, so 511 one by one), MIPS's half a TLB of pairs (tlb-r4k.c
    /// local_flush_tlb_range: 24 pairs, 48 pages).
    public var singlePageFlushCeiling: Int {
        family.singlePageFlushCeiling
    }

    /// Whether a shootdown interrupts a core that runs a kernel thread on
    /// the borrowed address space (lazy TLB). x86 skips it and lets it
    /// flush at its next switch (should_flush_tlb, cpu_tlbstate_shared.is_lazy);
    /// RISC-V's flush_tlb_mm_range sends the IPI to every hart in mm_cpumask.
    public var interruptsLazyCores: Bool { family.interruptsLazyCores }

    /// x86's CR4.SMEP and CR4.SMAP, which a machine may turn on or off (ARM's
    /// PXN and PAN are always on here; RISC-V's SUM is set by uaccess only).
    public var hasSMEPAndSMAPSwitches: Bool { family.hasSMEPAndSMAPSwitches }

    /// Whether a fault's code says "instruction fetch": x86's #PF error code
    /// sets I/D only with NX in the entry format or CR4.SMEP on (SDM vol. 3A
    /// §4.7), so never on 32-bit paging without SMEP; the others always do.
    public func errorCodeReportsFetch(smep: Bool) -> Bool {
        family.errorCodeReportsFetch(smep: smep, self)
    }

    /// What a uaccess routine runs around its access, and what that does:
    /// x86's STAC/CLAC, RISC-V's sstatus.SUM (Linux's __enable_user_access),
    /// ARM's PSTATE.PAN (uaccess_enable_privileged). MIPS has no such
    /// switch: the kernel reaches kuseg directly; only the exception table is armed.
    public var userAccessInstructions: UserAccessInstructions {
        family.userAccessInstructions
    }

    /// Where the kernel finds a faulting address: CR2, stval, FAR_EL1, BadVAddr.
    public var faultAddressRegister: String {
        family.faultAddressRegister
    }

    /// The script's names for this architecture's own registers.
    public var registerMembers: String {
        family.registerMembers
    }

    /// Whether `cpu.NAME` is one of this architecture's registers (or counts
    /// of their writes); another architecture's names are refused.
    public func hasCPUMember(_ member: String) -> Bool {
        family.cpuMembers.contains(member)
    }

    /// What `last` calls a fault's code here.
    public var faultCodeMember: String {
        family.faultCodeMember
    }

    /// The names of an entry's set bits as memory holds it, in a table at
    /// `level`, as each manual spells them: "P RW US A NX" on x86, "V R W X
    /// U G A D" on RISC-V, on ARM the descriptor's kind with its attributes
    /// ("PAGE USER RO AF nG DBM PXN"), on MIPS EntryLo's and Linux's bits.
    public func flagNames(_ raw: UInt64, level: Int) -> [String] {
        family.flagNames(raw, level: level, self)
    }
}

